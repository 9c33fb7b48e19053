import { z } from 'zod';
import { JobSettings } from '$contract';

/**
 * Saved training configurations, kept in this browser's localStorage: small, per-person, and
 * available offline. A template stores everything but the dataset, which changes run to run.
 */
const KEY = 'loupe.training-templates';

export const TemplateConfig = JobSettings.omit({ datasetVersionId: true });
export type TemplateConfig = z.input<typeof TemplateConfig>;
const Template = z.object({ name: z.string().min(1), config: TemplateConfig });
export type Template = z.infer<typeof Template>;

export function listTemplates(): Template[] {
  const parsed = z.array(Template).safeParse(JSON.parse(localStorage.getItem(KEY) ?? '[]'));
  // A template written by an older version that no longer validates is dropped, not fatal.
  return parsed.success ? parsed.data : [];
}

export function saveTemplate(name: string, config: TemplateConfig) {
  const template = Template.parse({ name: name.trim(), config });
  const others = listTemplates().filter((t) => t.name !== template.name);
  localStorage.setItem(KEY, JSON.stringify([...others, template]));
}

export function deleteTemplate(name: string) {
  localStorage.setItem(KEY, JSON.stringify(listTemplates().filter((t) => t.name !== name)));
}
