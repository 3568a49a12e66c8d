import { describe, expect, test } from 'vitest';
import { filepathFields, formatFilepath } from './format-filepath.js';

// The expected strings are what Python 3's str.format returns for the same template and values (Keras
// fills checkpoint paths with it): `template.format(**values)`.
const PYTHON: [string, Record<string, number>, string][] = [
  ['ckpt-{epoch:02d}-{val_loss:.2f}', { epoch: 3, val_loss: 0.4567 }, 'ckpt-03-0.46'],
  ['{loss}', { loss: 0.1 }, '0.1'],
  ['{loss}', { loss: 1.0 }, '1.0'],
  ['{loss}', { loss: 1e-5 }, '1e-05'],
  ['{loss}', { loss: 1.2345678901234568e17 }, '1.2345678901234568e+17'],
  ['{loss:.3e}', { loss: 0.000123456 }, '1.235e-04'],
  ['{loss:e}', { loss: 12345.678 }, '1.234568e+04'],
  ['{loss:g}', { loss: 1.23456e-5 }, '1.23456e-05'],
  ['{loss:.3g}', { loss: 1234.5 }, '1.23e+03'],
  ['{loss:g}', { loss: 100.0 }, '100'],
  ['{loss:.3}', { loss: 2.0 }, '2.0'],
  ['{loss:.3}', { loss: 0.00012345 }, '0.000123'],
  ['{acc:.1%}', { acc: 0.9876 }, '98.8%'],
  ['{epoch:>5}|{epoch:<5}|{epoch:^5}|{epoch:*^6}', { epoch: 7 }, '    7|7    |  7  |**7***'],
  ['{loss:+.2f} {loss:08.3f} {neg:08.3f}', { loss: 1.5, neg: -1.5 }, '+1.50 0001.500 -001.500'],
  ['{n:,d} {x:,.1f}', { n: 1234567, x: 9876543.21 }, '1,234,567 9,876,543.2'],
  ['{{epoch}}-{epoch}', { epoch: 2 }, '{epoch}-2'],
  ['{loss:.2f}', { loss: Number.NaN }, 'nan'],
  ['{loss:G}', { loss: 1e-10 }, '1E-10'],
  ['{loss:E}', { loss: Number.POSITIVE_INFINITY }, 'INF'],
  ['{x:.0f} {y:.2f} {z:.2f} {w:.2f} {v:.0f}', { x: 2.5, y: 0.125, z: 0.625, w: 0.375, v: 3.5 }, '2 0.12 0.62 0.38 4'],
  ['{a:.2f} {b:.2f}', { a: 0.145, b: 0.165 }, '0.14 0.17'],
];

describe('formatFilepath', () => {
  test.each(PYTHON)('%s with %j gives what Python gives', (template, values, expected) => {
    expect(formatFilepath('ModelCheckpoint', template, values)).toBe(expected);
  });

  test.each([
    ['{val_acc}', "ModelCheckpoint: filepath names '{val_acc}', which is not among the values to fill it: epoch, loss"],
    ['{epoch:.2d}', "ModelCheckpoint: filepath field '{epoch:.2d}' has a format spec brickml does not read"],
    ['{epoch:q}', "ModelCheckpoint: filepath field '{epoch:q}' has a format spec brickml does not read"],
    ['{loss:d}', "ModelCheckpoint: filepath field '{loss:d}' formats an integer, but loss is 0.5"],
    ['ckpt-{epoch', "ModelCheckpoint: filepath has an unmatched '{' (write '{{' for a brace)"],
    ['ckpt}', "ModelCheckpoint: filepath has an unmatched '}' (write '}}' for a brace)"],
  ])('%s is a named error', (template, message) => {
    expect(() => formatFilepath('ModelCheckpoint', template, { epoch: 1, loss: 0.5 })).toThrow(message);
  });

  test('filepathFields names each field once, checking the template without values', () => {
    expect(filepathFields('ModelCheckpoint', 'ckpt-{epoch:02d}-{val_loss:.2f}-{{x}}-{epoch}')).toEqual([
      'epoch',
      'val_loss',
    ]);
    expect(() => filepathFields('ModelCheckpoint', 'ckpt}')).toThrow(
      "ModelCheckpoint: filepath has an unmatched '}' (write '}}' for a brace)",
    );
  });
});
