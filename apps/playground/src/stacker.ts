/**
 * The brick stacker: the spec's bricks as cards, one input per config field, with buttons to add, move
 * and remove bricks. It edits the spec's JSON in place and reports each change; issues from validation
 * are shown at the field they name.
 */
import type { FieldIssue } from './validate.js';

type Config = Record<string, unknown>;
interface SpecJson {
  className?: string;
  config?: { inputShape?: unknown; layers?: { className: string; config: Config }[] };
}

/** Bricks offered by the "add" menu, with a config that works on MNIST digits. */
export const PALETTE: Record<string, Config> = {
  Dense: { units: 64, activation: 'relu' },
  Dropout: { rate: 0.2 },
  Flatten: {},
  Reshape: { targetShape: [28, 28, 1] },
  Conv2D: { filters: 8, kernelSize: 3, activation: 'relu' },
  MaxPooling2D: { poolSize: 2 },
  BatchNormalization: {},
  Activation: { activation: 'relu' },
};

const path = (i: number, key: string) => `config.layers[${i}].config.${key}`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}) {
  return Object.assign(document.createElement(tag), props) as HTMLElementTagNameMap[K];
}

/** The input for one field: a number, a checkbox, or text (JSON for lists and objects). */
function fieldInput(value: unknown, onValue: (v: unknown) => void): HTMLInputElement {
  if (typeof value === 'boolean') {
    const input = el('input', { type: 'checkbox', checked: value });
    input.addEventListener('change', () => onValue(input.checked));
    return input;
  }
  const isText = typeof value === 'string';
  const input = el('input', {
    type: typeof value === 'number' ? 'number' : 'text',
    value: isText ? value : JSON.stringify(value),
  });
  if (typeof value === 'number') input.step = 'any';
  input.addEventListener('input', () => {
    if (input.type === 'number') return onValue(input.value === '' ? null : Number(input.value));
    if (isText) return onValue(input.value);
    try {
      onValue(JSON.parse(input.value));
    } catch {
      onValue(input.value); // zod says what it expected
    }
  });
  return input;
}

export class Stacker {
  private json: SpecJson = {};

  constructor(
    private readonly root: HTMLElement,
    private readonly onChange: (json: unknown) => void,
  ) {}

  /** Shows the bricks of `json` (a Sequential spec); anything else is edited as JSON only. */
  render(json: unknown): void {
    this.json = (json ?? {}) as SpecJson;
    this.root.replaceChildren();
    const layers = this.json.config?.layers;
    if (this.json.className !== 'Sequential' || !Array.isArray(layers)) {
      this.root.append(el('p', { className: 'hint', textContent: 'Edit this model in the JSON spec.' }));
      return;
    }
    const config = this.json.config as NonNullable<SpecJson['config']>;
    const shape = this.field('inputShape', 'config.inputShape', config.inputShape ?? [784], (v) => {
      config.inputShape = v;
    });
    const list = el('ol', { className: 'stack' });
    for (let i = 0; i < layers.length; i++) list.append(this.card(layers, i));
    const add = el('select', { id: 'add-brick', title: 'Add a brick' });
    add.append(el('option', { value: '', textContent: '+ add a brick' }));
    for (const name of Object.keys(PALETTE)) add.append(el('option', { value: name, textContent: name }));
    add.addEventListener('change', () => {
      const at = Math.max(0, layers.length - 1); // before the softmax output
      layers.splice(at, 0, { className: add.value, config: structuredClone(PALETTE[add.value] ?? {}) });
      this.changed(true);
    });
    this.root.append(shape, list, add);
  }

  private card(layers: NonNullable<NonNullable<SpecJson['config']>['layers']>, i: number): HTMLElement {
    const layer = layers[i] as { className: string; config: Config };
    const card = el('li', { className: 'brick' });
    card.dataset.path = `config.layers[${i}]`;
    card.dataset.testid = `brick-${i}`;
    const head = el('div', { className: 'brick-head' });
    head.append(el('strong', { textContent: layer.className }));
    const move = (label: string, title: string, act: () => void) => {
      const b = el('button', { type: 'button', textContent: label, title });
      b.addEventListener('click', () => {
        act();
        this.changed(true);
      });
      head.append(b);
    };
    const swap = (j: number) => {
      if (j < 0 || j >= layers.length) return;
      [layers[i], layers[j]] = [layers[j] as typeof layer, layer];
    };
    move('↑', 'Move up', () => swap(i - 1));
    move('↓', 'Move down', () => swap(i + 1));
    move('✕', 'Remove', () => layers.splice(i, 1));
    card.append(head);
    for (const [key, value] of Object.entries(layer.config ?? {})) {
      card.append(this.field(key, path(i, key), value, (v) => Object.assign(layer.config, { [key]: v })));
    }
    return card;
  }

  private field(label: string, at: string, value: unknown, set: (v: unknown) => void): HTMLElement {
    const row = el('label', { className: 'field' });
    row.dataset.path = at;
    const input = fieldInput(value, (v) => {
      set(v);
      this.changed(false);
    });
    input.name = at;
    row.append(el('span', { textContent: label }), input);
    return row;
  }

  private changed(structural: boolean): void {
    this.onChange(this.json);
    if (structural) this.render(this.json);
  }

  /** Marks the fields (or, for a brick-wide issue, the brick) that issues name. */
  showIssues(issues: readonly FieldIssue[]): void {
    for (const old of this.root.querySelectorAll('.field-error')) old.remove();
    for (const bad of this.root.querySelectorAll('.invalid')) bad.classList.remove('invalid');
    for (const issue of issues) {
      const target = [...this.root.querySelectorAll<HTMLElement>('[data-path]')]
        .filter((e) => issue.path === e.dataset.path || issue.path.startsWith(`${e.dataset.path}.`))
        .pop();
      if (!target) continue;
      target.classList.add('invalid');
      target.append(el('small', { className: 'field-error', textContent: issue.message }));
    }
  }
}
