import { parseDuration, parseSize } from '../../dist/node.js';

describe('parseSize', () => {
  test.each([
    [1024, 1024],
    [1.9, 1],
    ['512', 512],
    ['1B', 1],
    ['512MB', 512e6],
    ['512mb', 512e6],
    ['1.5KB', 1500],
    ['8GiB', 8 * 2 ** 30],
    ['64 KiB', 65536],
    ['2TB', 2e12],
  ])('%p is %d bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  test.each([[-1], [0], [NaN], [Infinity], ['12XB'], ['MB'], ['-5MB'], ['1e3'], [''], [null], [{}]])(
    '%p is refused',
    (input) => {
      expect(() => parseSize(input as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    },
  );
});

describe('parseDuration', () => {
  test.each([
    [250, 250],
    [0.5, 1],
    ['500ms', 500],
    ['10s', 10_000],
    ['10m', 600_000],
    ['1.5h', 5_400_000],
    ['4h', 14_400_000],
    ['7d', 604_800_000],
  ])('%p is %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  test.each([[0], [-5], [NaN], [Infinity], ['10'], ['10 years'], ['10M'], [''], [null]])('%p is refused', (input) => {
    expect(() => parseDuration(input as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
  });
});
