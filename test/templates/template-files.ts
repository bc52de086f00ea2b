/** Where the templates live and how the template tests list their files (sorted, recursive). */
import { readdirSync } from 'node:fs';
import path from 'node:path';

export const TEMPLATE_ROOT = path.resolve(__dirname, '../../templates');
export const TEMPLATES = ['minimal', 'regulated', 'airgapped'] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export function templateFiles(dir: string, accept: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...templateFiles(full, accept));
    else if (entry.isFile() && accept(entry.name)) out.push(full);
  }
  return out;
}
