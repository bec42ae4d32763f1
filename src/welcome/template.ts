import type { Profile } from '../types.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_:.-]+)\s*(?:\|([^}]*))?\}\}/g;

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes a value for HTML text and attribute values.
 *
 * @example
 * ```ts
 * html: (profile) => `<p>Hi ${escapeHtml(String(profile.name))}</p>`
 * ```
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] as string);
}

/**
 * A template: a string with `{{field}}` or `{{field|fallback}}` placeholders filled from
 * the profile's own fields, or a function of the profile.
 */
export type Template = string | ((profile: Profile) => string);

function fieldText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Fills a template from a profile; `escape` is applied to each profile value (never to the
 * template's own text), so a name such as `<script>` cannot inject markup.
 *
 * @internal
 */
export function renderTemplate(template: Template, profile: Profile, escape: (value: string) => string = (v) => v): string {
  if (typeof template === 'function') return template(profile);
  // Own fields only: `{{constructor}}` must not reach Object.prototype through the profile.
  return template.replace(PLACEHOLDER, (_match, field: string, fallback: string | undefined) =>
    escape(fieldText(Object.hasOwn(profile, field) ? profile[field] : undefined) ?? fallback ?? ''),
  );
}
