const counters = new Map<string, number>();

/** Keras' automatic names: the class name in snake case with a counter (`dense_1`, `input_layer_2`). */
export function autoName(className: string): string {
  const snake = className
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
  const n = (counters.get(snake) ?? 0) + 1;
  counters.set(snake, n);
  return `${snake}_${n}`;
}
