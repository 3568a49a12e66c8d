/**
 * Python's str.format for checkpoint paths, as Keras fills `ckpt-{epoch:02d}-{val_loss:.2f}.keras`: named
 * fields only, with the format spec [[fill]align][sign][0][width][,][.precision][type], type one of
 * d f F e E g G % or none (Python's repr of a float), and `{{`/`}}` for literal braces.
 */
import { BrickError } from '@brickml/core';

const SPEC = /^(?:(.)?([<>^=]))?([+\- ])?(0)?(\d+)?(,)?(?:\.(\d+))?([dfFeEgG%])?$/;

/** Python's exponent: at least two digits ('1e-05'). */
const pyExponent = (s: string) => s.replace(/e([+-])(\d)$/, 'e$10$2');

/** Python's repr of a float: shortest round-trip digits, exponent form below 1e-4 or from 1e16, '1.0' for integers. */
function pyRepr(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const exp = x === 0 ? 0 : Math.floor(Math.log10(Math.abs(x)));
  if (x !== 0 && (exp < -4 || exp >= 16)) return pyExponent(x.toExponential());
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

/** Whether x lies exactly halfway between two multiples of 10^-digits (x = M·2^E exactly, from its bits). */
function isTie(x: number, digits: number): boolean {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  // 2·x·10^digits must be an odd integer.
  const n = mantissa * 2n * 10n ** BigInt(digits);
  if (exponent >= 0) return false;
  const divisor = 1n << BigInt(-exponent);
  return n % divisor === 0n && (n / divisor) % 2n === 1n;
}

/** Python's fixed point: like toFixed, but an exact tie rounds to the even digit. */
function fixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  if (!isTie(x, digits)) return s;
  const last = Number(s[s.length - 1]);
  if (last % 2 === 0) return s;
  // toFixed rounded the tie up to an odd digit: the even neighbour is one unit below.
  const unit = 10n ** BigInt(digits);
  const scaled = BigInt(s.replace('.', '')) - 1n;
  const whole = scaled / unit;
  const rest = (scaled % unit).toString().padStart(digits, '0');
  return digits === 0 ? String(whole) : `${whole}.${rest}`;
}

/** Python's 'g': `precision` significant digits, exponent form when the exponent is below -4 or not below precision. */
function general(x: number, precision: number, keepPoint: boolean): string {
  const p = precision === 0 ? 1 : precision;
  const exp = Number(x.toExponential(p - 1).split('e')[1]);
  const strip = (s: string) => s.replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, keepPoint ? '.0$1' : '$1');
  if (exp < -4 || exp >= p) return pyExponent(strip(x.toExponential(p - 1)));
  return strip(fixed(x, Math.max(p - 1 - exp, 0)));
}

function formatNumber(who: string, key: string, value: number, spec: string): string {
  const m = SPEC.exec(spec);
  // Python refuses a precision on integers too.
  if (!m || (m[8] === 'd' && m[7] !== undefined)) {
    throw new BrickError(`${who}: filepath field '{${key}:${spec}}' has a format spec brickml does not read`, who);
  }
  const [, fill = ' ', align, sign = '-', zero, width, comma, precision, type] = m;
  const p = precision === undefined ? undefined : Number(precision);
  const abs = Math.abs(value);
  let body: string;
  if (!Number.isFinite(value)) body = Number.isNaN(value) ? 'nan' : 'inf';
  else if (type === 'd') {
    if (!Number.isInteger(value)) {
      throw new BrickError(`${who}: filepath field '{${key}:${spec}}' formats an integer, but ${key} is ${value}`, who);
    }
    body = String(abs);
  } else if (type === 'f' || type === 'F') body = fixed(abs, p ?? 6);
  else if (type === 'e' || type === 'E') body = pyExponent(abs.toExponential(p ?? 6));
  else if (type === 'g' || type === 'G') body = general(abs, p ?? 6, false);
  else if (type === '%') body = `${fixed(abs * 100, p ?? 6)}%`;
  else if (p !== undefined) body = general(abs, p, true);
  else body = key === 'epoch' || key === 'batch' ? String(abs) : pyRepr(abs);
  if (type === 'E' || type === 'G' || type === 'F') body = body.toUpperCase();
  if (comma) body = body.replace(/^(\d+)/, (d) => d.replace(/\B(?=(\d{3})+$)/g, ','));
  const signText = value < 0 || Object.is(value, -0) ? '-' : sign === '-' ? '' : sign;
  const size = Number(width ?? 0);
  const pad = (n: number, c: string) => c.repeat(Math.max(n, 0));
  const missing = size - signText.length - body.length;
  const how = align ?? (zero ? '=' : '>');
  const padChar = align === undefined && zero ? '0' : fill;
  if (how === '=') return signText + pad(missing, padChar) + body;
  if (how === '<') return signText + body + pad(missing, padChar);
  if (how === '^')
    return pad(Math.floor(missing / 2), padChar) + signText + body + pad(Math.ceil(missing / 2), padChar);
  return pad(missing, padChar) + signText + body;
}

const FIELD = /\{\{|\}\}|\{([^{}:!]*)(?::([^{}]*))?\}|[{}]/g;

/** Calls `field` for each `{name}` or `{name:spec}` of `template` and returns its replacement, refusing a lone brace or a nameless field. */
function eachField(who: string, template: string, field: (key: string, spec: string) => string): string {
  return template.replace(FIELD, (whole, key?: string, spec?: string) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    if (key === undefined)
      throw new BrickError(`${who}: filepath has an unmatched '${whole}' (write '${whole}${whole}' for a brace)`, who);
    if (key === '')
      throw new BrickError(`${who}: filepath has a field with no name, '${whole}'; name a value: '{epoch}'`, who);
    return field(key, spec ?? '');
  });
}

/**
 * The names of the fields of `template`, after checking it as formatFilepath would with every field set to 1
 * (braces, format specs), so a bad template is refused before any value exists.
 * @example
 * filepathFields('ModelCheckpoint', 'ckpt-{epoch:02d}-{val_loss:.2f}'); // ['epoch', 'val_loss']
 */
export function filepathFields(who: string, template: string): string[] {
  const keys = new Set<string>();
  eachField(who, template, (key, spec) => {
    keys.add(key);
    return formatNumber(who, key, 1, spec);
  });
  return [...keys];
}

/**
 * Fills the `{name}` and `{name:spec}` fields of `template` from `values`, as Python's str.format does.
 * @example
 * formatFilepath('ModelCheckpoint', 'ckpt-{epoch:02d}-{val_loss:.2f}', { epoch: 3, val_loss: 0.4567 }); // 'ckpt-03-0.46'
 */
export function formatFilepath(who: string, template: string, values: Record<string, number>): string {
  return eachField(who, template, (key, spec) => {
    const value = values[key];
    if (value === undefined) {
      throw new BrickError(
        `${who}: filepath names '{${key}}', which is not among the values to fill it: ${Object.keys(values).join(', ')}`,
        who,
      );
    }
    return formatNumber(who, key, value, spec);
  });
}
