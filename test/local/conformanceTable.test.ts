import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * src/local/EMULATORS.md promises that every row of its conformance table marked "same as
 * AWS" has a test. Each such row names its tests in quotes; this checks that each name is
 * the title (or a part of the title) of a test that exists.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

function conformanceRows(): { behaviour: string; ours: string }[] {
  const page = readFileSync(join(root, 'src/local/EMULATORS.md'), 'utf8');
  const section = page.split('## Conformance with AWS')[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---') && !line.startsWith('| behaviour'))
    .map((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim()))
    .map((cells) => ({ behaviour: cells[1] ?? '', ours: cells[4] ?? '' }));
}

function testSources(): string {
  const files = (readdirSync(join(root, 'test'), { recursive: true }) as string[]).filter((file) => file.endsWith('.test.ts'));
  return files.map((file) => readFileSync(join(root, 'test', file), 'utf8')).join('\n');
}

describe('the conformance table in src/local/EMULATORS.md', () => {
  const rows = conformanceRows();
  const sameAsAws = rows.filter((row) => row.ours.includes('**same as AWS**'));

  it('has rows, and rows marked same as AWS', () => {
    expect(rows.length).toBeGreaterThan(15);
    expect(sameAsAws.length).toBeGreaterThan(10);
  });

  it.each(sameAsAws.map((row) => [row.behaviour, row.ours] as const))('names existing tests for "%s"', (_behaviour, ours) => {
    const names = [...ours.matchAll(/"([^"]+)"/g)].map((match) => match[1]!);
    const sources = testSources();

    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !sources.includes(name))).toEqual([]);
  });
});
