import { AppError } from '@mserve/common';
import { MODEL_NAME_RE } from '@mserve/contracts';

/** Which model version a request asks for: a model name, and a version or a label (not both). */
export interface ModelSelector {
  model?: string;
  version?: number;
  label?: string;
}

const LABEL_RE = /^[a-z][a-z0-9_-]{0,31}$/;

/** Checks a selector's parts (400 VALIDATION_FAILED naming every bad one). */
export function parseSelector(raw: { model?: unknown; version?: unknown; label?: unknown }): ModelSelector {
  const bad: string[] = [];
  const out: ModelSelector = {};
  if (raw.model !== undefined && raw.model !== '') {
    if (typeof raw.model === 'string' && MODEL_NAME_RE.test(raw.model)) out.model = raw.model;
    else bad.push('model must be a model name ([A-Za-z0-9_-], at most 64)');
  }
  if (raw.version !== undefined && raw.version !== '') {
    const v = typeof raw.version === 'number' ? raw.version : Number(raw.version);
    if ((typeof raw.version === 'string' || typeof raw.version === 'number') && Number.isInteger(v) && v >= 1) {
      out.version = v;
    } else bad.push('version must be a positive integer');
  }
  if (raw.label !== undefined && raw.label !== '') {
    if (typeof raw.label === 'string' && LABEL_RE.test(raw.label)) out.label = raw.label;
    else bad.push('label must be a label name such as stable or canary');
  }
  if (out.version !== undefined && out.label !== undefined) bad.push('give version or label, not both');
  if (bad.length > 0) throw new AppError('VALIDATION_FAILED', bad.join('; '));
  return out;
}

/** Splits the routing fields off a submission's fields (the rest are the inference parameters). */
export function takeModelFields(fields: Record<string, unknown>): {
  selector: ModelSelector;
  fields: Record<string, unknown>;
} {
  const { model, version, label, ...rest } = fields;
  return { selector: parseSelector({ model, version, label }), fields: rest };
}
