// Fixed-width number formatting in the Fortran styles Mplus prints.
//
// Every helper returns a string of exactly the requested width (right-aligned) or, like Fortran,
// a field of asterisks when the value does not fit. Column positions in the .out layout are
// obtained by concatenating fields of known widths, never by searching for text.

/** `x` with `d` decimals right-aligned in `w` columns (Fortran Fw.d); `*` x w when too wide. NaN -> asterisks. */
export function fmtF(x: number, w: number, d: number): string {
  if (!Number.isFinite(x)) return '*'.repeat(w);
  let s = x.toFixed(d);
  if (s.startsWith('-') && Number(s) === 0) s = s.slice(1); // Fortran prints 0.000, not -0.000
  return s.length > w ? '*'.repeat(w) : s.padStart(w);
}

/** `x` with `d` decimals, no padding (values placed with labelValue); NaN prints `*` */
export function fixed(x: number, d: number): string {
  return Number.isFinite(x) ? fmtF(x, 40, d).trimStart() : '*';
}

/** integer right-aligned in `w` columns (Fortran Iw). */
export function fmtI(x: number, w: number): string {
  const s = String(Math.round(x));
  return s.length > w ? '*'.repeat(w) : s.padStart(w);
}

/** mantissa digits and decimal exponent such that |x| = 0.ddd x 10^exp (Fortran normalised form). */
function fortranParts(x: number, digits: number): { sign: string; mant: string; exp: number } {
  if (x === 0 || !Number.isFinite(x)) return { sign: '', mant: '0'.repeat(digits), exp: 0 };
  const e = Math.abs(x).toExponential(digits - 1); // d.ddde±k, correctly rounded
  const [m, k] = e.split('e');
  return { sign: x < 0 ? '-' : '', mant: m.replace('.', ''), exp: Number(k) + 1 };
}

function expPart(letter: string, exp: number): string {
  const a = Math.abs(exp);
  return letter + (exp < 0 ? '-' : '+') + String(a).padStart(2, '0');
}

/** Fortran D format without padding: `fmtD(-7137.6209, 8)` = `-0.71376209D+04`, `fmtD(1e-6, 3)` = `0.100D-05`. */
export function fmtD(x: number, digits: number): string {
  const p = fortranParts(x, digits);
  return `${p.sign}0.${p.mant}${expPart('D', p.exp)}`;
}

/** Fortran E format without padding: `fmtE(0.0003, 3)` = `0.300E-03` (condition numbers). */
export function fmtE(x: number, digits: number): string {
  const p = fortranParts(x, digits);
  return `${p.sign}0.${p.mant}${expPart('E', p.exp)}`;
}

/** parse a Fortran D/E number (`-0.71376209D+04`) */
export function parseFortran(s: string): number {
  return Number(s.trim().replace(/[dD]/, 'e'));
}

/** `label` followed by `value` right-aligned so that its last character is in 1-based column `end`. */
export function labelValue(label: string, value: string, end: number): string {
  const gap = end - label.length - value.length;
  return label + ' '.repeat(Math.max(1, gap)) + value;
}

/** left-justify in w columns (never truncates) */
export function padR(s: string, w: number): string {
  return s.padEnd(w);
}

/** drop trailing blanks (Mplus lines never end in blanks) */
export function trimEnd(s: string): string {
  return s.replace(/\s+$/, '');
}
