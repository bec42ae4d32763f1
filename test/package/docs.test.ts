import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * The README and the pages under docs/ link to each other, to examples/ and to source files
 * (and the examples' READMEs back to them).
 * Every relative link must reach an existing file, and every `#anchor` a heading of that file
 * (as GitHub makes its ids), so moving a section cannot leave a dead link behind.
 */
const root = resolve(__dirname, '../..');
const skipped = new Set(['node_modules', 'dist', 'api', 'cdk.out', '.git', 'coverage']);

/** The project's own Markdown files (README, docs/, examples/, src/, bench/, test/ ...), paths from the root. */
function markdownFiles(folder = ''): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = folder === '' ? entry.name : `${folder}/${entry.name}`;
    if (entry.isDirectory()) return skipped.has(entry.name) || entry.name.startsWith('.') ? [] : markdownFiles(path);
    return entry.name.endsWith('.md') && path !== 'CHANGELOG.md' ? [path] : [];
  });
}
const pages = markdownFiles();

/** Lines outside fenced code blocks: links and headings in code samples are not Markdown. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return !fenced && !line.startsWith('```');
  });
}

/** The heading ids GitHub gives a Markdown file: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingIds(text: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(text)) {
    const heading = /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const base = heading[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, '').replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    ids.add(count === 0 ? base : `${base}-${count}`);
  }
  return ids;
}

/** Relative link targets of a Markdown file: `[text](target)`, outside code, not URLs. */
export function relativeLinks(text: string): string[] {
  const links: string[] = [];
  for (const line of prose(text)) {
    // Inline code spans hold no links (`[x](y)` in backticks is text).
    const outsideCode = line.replace(/`[^`]*`/g, '``');
    for (const match of outsideCode.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1]!;
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push(target);
    }
  }
  return links;
}

/** Why a link from `page` to `target` is dead, or undefined when it resolves. */
function deadLink(page: string, target: string): string | undefined {
  const [path, anchor] = target.split('#') as [string, string | undefined];
  const file = path === '' ? join(root, page) : resolve(dirname(join(root, page)), decodeURIComponent(path));
  if (!existsSync(file)) return `no file ${relative(root, file)}`;
  if (anchor === undefined) return undefined;
  if (!statSync(file).isFile() || !file.endsWith('.md')) return `#${anchor} on ${relative(root, file)}, which is not a Markdown file`;
  if (!headingIds(readFileSync(file, 'utf8')).has(anchor)) return `no heading #${anchor} in ${relative(root, file)}`;
  return undefined;
}

describe('documentation links', () => {
  it('finds the pages, their links and their headings', () => {
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/post-confirmation.md', 'docs/deployment.md', 'examples/cdk/README.md', 'src/local/EMULATORS.md']));
    expect(relativeLinks(readFileSync(join(root, 'README.md'), 'utf8'))).toContain('docs/post-confirmation.md');
    expect(headingIds('# A `b(c)`: d, e\n```\n# not a heading\n```\n## A `b(c)`: d, e\n')).toEqual(new Set(['a-bc-d-e', 'a-bc-d-e-1']));
    expect(relativeLinks('[a](x.md) [b](https://example.com) `[c](y.md)`\n```\n[d](z.md)\n```\n')).toEqual(['x.md']);
  });

  it.each(pages)('every relative link in %s reaches a file and heading that exist', (page) => {
    const text = readFileSync(join(root, page), 'utf8');
    const dead = relativeLinks(text)
      .map((target) => ({ target, problem: deadLink(page, target) }))
      .filter((link) => link.problem !== undefined);
    expect(dead).toEqual([]);
  });

  it('a dead link or anchor is caught', () => {
    expect(deadLink('README.md', 'docs/no-such-page.md')).toBe('no file docs/no-such-page.md');
    expect(deadLink('README.md', 'docs/post-confirmation.md#no-such-heading')).toBe('no heading #no-such-heading in docs/post-confirmation.md');
    expect(deadLink('docs/mapping.md', 'examples/cdk/')).toBe('no file docs/examples/cdk');
    expect(deadLink('docs/mapping.md', '../examples/cdk/')).toBeUndefined();
  });

  it('the README links every page under docs/', () => {
    const linked = new Set(relativeLinks(readFileSync(join(root, 'README.md'), 'utf8')).map((target) => target.split('#')[0]));
    expect(pages.filter((page) => page.startsWith('docs/') && !linked.has(page))).toEqual([]);
  });
});
