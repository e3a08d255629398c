// The subset of Jest's `expect` that the contract cases use, for the browser page: Jest's own `expect` package
// needs Node's fs and process, so it cannot be bundled for a page.

/** A value that matches by a rule rather than by equality (expect.any, expect.objectContaining). */
class Asymmetric {
  constructor(
    readonly describe: string,
    readonly matches: (actual: unknown) => boolean,
  ) {}
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function equals(actual: unknown, expected: unknown, subset: boolean): boolean {
  if (expected instanceof Asymmetric) return expected.matches(actual);
  if (Object.is(actual, expected)) return true;
  if (!isObject(actual) || !isObject(expected)) return false;
  if (Array.isArray(expected) || ArrayBuffer.isView(expected)) {
    const [a, e] = [actual as unknown as ArrayLike<unknown>, expected as unknown as ArrayLike<unknown>];
    if (a.length !== e.length) return false;
    for (let i = 0; i < e.length; i++) if (!equals(a[i], e[i], subset)) return false;
    return true;
  }
  const keys = Object.keys(expected);
  if (!subset && Object.keys(actual).filter((k) => actual[k] !== undefined).length !== keys.length) return false;
  return keys.every((key) => equals(actual[key], expected[key], subset));
}

function show(value: unknown): string {
  if (value instanceof Asymmetric) return value.describe;
  if (value instanceof Error) return `${value.name}: ${value.message} ${JSON.stringify(value)}`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as Uint8Array).length})`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function check(pass: boolean, actual: unknown, matcher: string, expected?: unknown): void {
  if (!pass) {
    const wanted = arguments.length > 3 ? ` ${show(expected)}` : '';
    throw new Error(`expected ${show(actual)} ${matcher}${wanted}`);
  }
}

function matchers(actual: unknown) {
  return {
    toBe: (expected: unknown) => check(Object.is(actual, expected), actual, 'to be', expected),
    toEqual: (expected: unknown) => check(equals(actual, expected, false), actual, 'to equal', expected),
    toMatchObject: (expected: unknown) => check(equals(actual, expected, true), actual, 'to match', expected),
    toBeUndefined: () => check(actual === undefined, actual, 'to be undefined'),
    toBeInstanceOf: (type: abstract new (...args: never[]) => unknown) =>
      check(actual instanceof type, actual, 'to be an instance of', type.name),
    toBeGreaterThan: (n: number) => check((actual as number) > n, actual, 'to be greater than', n),
    toBeLessThanOrEqual: (n: number) => check((actual as number) <= n, actual, 'to be at most', n),
    toThrow: (expected?: unknown) => {
      let thrown: unknown;
      let threw = false;
      try {
        (actual as () => unknown)();
      } catch (error) {
        [thrown, threw] = [error, true];
      }
      check(threw, 'the call', 'to throw');
      if (typeof expected === 'function') check(thrown instanceof expected, thrown, 'to be an instance of', expected.name);
      else if (expected !== undefined) check(equals(thrown, expected, true), thrown, 'to match', expected);
    },
    rejects: {
      toMatchObject: async (expected: unknown) => {
        const outcome = await (actual as Promise<unknown>).then(
          (value) => ({ rejected: false, value }),
          (value: unknown) => ({ rejected: true, value }),
        );
        check(outcome.rejected, outcome.value, 'to be a rejection');
        check(equals(outcome.value, expected, true), outcome.value, 'to match', expected);
      },
    },
  };
}

export const expect = Object.assign(matchers, {
  any: (type: abstract new (...args: never[]) => unknown) =>
    new Asymmetric(`any(${type.name})`, (actual) =>
      actual instanceof type || (type === Number && typeof actual === 'number') || (type === String && typeof actual === 'string')),
  objectContaining: (expected: Record<string, unknown>) =>
    new Asymmetric(`objectContaining(${show(expected)})`, (actual) => equals(actual, expected, true)),
  stringContaining: (expected: string) =>
    new Asymmetric(`stringContaining(${show(expected)})`, (actual) => typeof actual === 'string' && actual.includes(expected)),
});
