/**
 * The JSON spec editor: a textarea over a backdrop that marks the lines holding issues, and the list of
 * issues (line, field, message); clicking one selects its line.
 */
import type { FieldIssue } from './validate.js';

export class SpecEditor {
  private readonly backdrop: HTMLElement;
  private readonly list: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly textarea: HTMLTextAreaElement,
    onEdit: (text: string) => void,
  ) {
    this.backdrop = textarea.parentElement?.querySelector('.backdrop') as HTMLElement;
    this.list = document.getElementById('spec-errors') as HTMLElement;
    textarea.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => onEdit(textarea.value), 200);
    });
    textarea.addEventListener('scroll', () => {
      this.backdrop.scrollTop = textarea.scrollTop;
      this.backdrop.scrollLeft = textarea.scrollLeft;
    });
  }

  get text(): string {
    return this.textarea.value;
  }

  set text(value: string) {
    if (value !== this.textarea.value) this.textarea.value = value;
  }

  /** Marks the issues' lines and lists them; an empty list says the spec is valid. */
  showIssues(issues: readonly FieldIssue[]): void {
    const bad = new Set(issues.map((i) => i.line));
    const lines = this.textarea.value.split('\n');
    this.backdrop.replaceChildren(
      ...lines.map((line, i) => {
        const row = document.createElement(bad.has(i + 1) ? 'mark' : 'div');
        row.textContent = `${line}\n`;
        return row;
      }),
    );
    this.textarea.classList.toggle('invalid', issues.length > 0);
    this.list.replaceChildren(
      ...issues.map((issue) => {
        const item = document.createElement('li');
        item.textContent = `line ${issue.line}${issue.path ? ` · ${issue.path}` : ''}: ${issue.message}`;
        item.addEventListener('click', () => this.selectLine(issue.line));
        return item;
      }),
    );
    this.list.dataset.count = String(issues.length);
  }

  private selectLine(line: number): void {
    const lines = this.textarea.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    this.textarea.focus();
    this.textarea.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  }
}
