/**
 * Where things sit in a JSON text: the offset of each value (and of each object key, which names the
 * member) by its path, written as zod paths are (`config.layers[1].config.units`), so an issue can be
 * shown on its line. Reads text that JSON.parse has already accepted.
 */
import { formatPath } from 'brickml';

export function locate(text: string): Map<string, number> {
  const at = new Map<string, number>();
  let i = 0;
  const space = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const string = () => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: (string | number)[]) => {
    space();
    const key = formatPath(path);
    if (!at.has(key)) at.set(key, i);
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      for (let n = 0; text[i] !== close; n++) {
        if (c === '{') {
          space();
          const keyAt = i;
          const name = string();
          at.set(formatPath([...path, name]), keyAt);
          space();
          i++; // the colon
          value([...path, name]);
        } else {
          value([...path, n]);
        }
        space();
        if (text[i] === ',') i++;
        space();
      }
      i++;
    } else if (c === '"') {
      string();
    } else {
      while (i < text.length && !/[\s,\]}]/.test(text[i] as string)) i++;
    }
  };
  value([]);
  return at;
}

/** 1-based line of an offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}
