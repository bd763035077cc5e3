// Chevrotain token sets for the three kinds of command body (see segment.ts):
//  - option commands (DATA, VARIABLE, ANALYSIS, OUTPUT, SAVEDATA, PLOT, MONTECARLO):
//    free-form values, file names, Fortran formats;
//  - MODEL-like bodies (MODEL, MODEL POPULATION, MODEL c:, MODEL INDIRECT ...);
//  - expression bodies (DEFINE, MODEL CONSTRAINT, MODEL TEST).
// Comments are already blanked out by segment.ts. Every lexer ends with a
// one-character catch-all token so that lexing never fails: unexpected
// characters become `Other` tokens and the parser reports them with a span.
import { createToken, Lexer, type TokenType, type CustomPatternMatcherFunc } from 'chevrotain';

/**
 * First characters of the one-character catch-all tokens. Listing them keeps
 * Chevrotain's first-character lexer optimisation on (a negated class such as
 * /[^\s]/ would switch it off); characters outside this set (rare non-Latin
 * text outside comments) become lexing errors, reported as E_LEX.
 */
const ANY_CHARS: string[] = [];
for (let c = 33; c < 0x2000; c++) if (!/\s/.test(String.fromCharCode(c))) ANY_CHARS.push(String.fromCharCode(c));
const anyChar = (name: string) => createToken({ name, pattern: /[^\s]/, start_chars_hint: ANY_CHARS, line_breaks: false });

/** Blanks; also the byte-order mark and no-break spaces that editors and PDFs leave in scripts. */
const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED, line_breaks: true });

/** A regex for `word` and its prefixes of at least `min` letters (syntax.md §1.3). */
function abbrev(word: string, min = 4): RegExp {
  let tail = '';
  for (let i = word.length - 1; i >= min; i--) tail = `(?:${word[i]}${tail})?`;
  return new RegExp(word.slice(0, min) + tail, 'i');
}

// ---------------------------------------------------------------------------
// Option commands

/**
 * Numbers in option values. A leading `-` belongs to the number only when it
 * does not follow a letter/digit/`)`: `ALL (-999)` is -999 but `(98-102)` is a
 * range 98 to 102 (syntax.md §4.3).
 */
const numberRe = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][+-]?\d+)?/y;
const matchOptNumber: CustomPatternMatcherFunc = (text, offset) => {
  const c = text.charCodeAt(offset);
  if (c === 45 /* - */ || c === 43 /* + */) {
    const prev = offset > 0 ? text[offset - 1] : ' ';
    if (/[A-Za-z0-9_.)#$]/.test(prev)) return null;
  }
  numberRe.lastIndex = offset;
  const m = numberRe.exec(text);
  if (!m) return null;
  // `3F8.2`, `2X`, `10X`: a number immediately followed by a letter is a
  // Fortran descriptor or file name piece: still a number token (the word
  // follows); but `1e5` is handled by the exponent part above.
  return m;
};

export const OString = createToken({ name: 'OString', pattern: /"[^"\n]*"/ });
export const ONumber = createToken({
  name: 'ONumber',
  pattern: { exec: matchOptNumber },
  line_breaks: false,
  start_chars_hint: ['-', '+', '.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
});
/** `K-1STARTS` is the only option name with a hyphen. */
export const OK1 = createToken({ name: 'OK1', pattern: /K-1[A-Za-z]+/i });
/** Words: names, keywords, `c#1`, `u$1`, file names like `ex7.3.dat`, `rep*.dat`, `C:\data\x.dat`, `../d/x.dat`. */
export const OWord = createToken({
  name: 'OWord',
  pattern: /(?:[A-Za-z_\\~]|\.{1,2}[\\/]|\/(?=[A-Za-z0-9_.]))[A-Za-z0-9_.#$&\\/:~*]*/,
});
export const OLParen = createToken({ name: 'OLParen', pattern: /\(/ });
export const ORParen = createToken({ name: 'ORParen', pattern: /\)/ });
export const OSemi = createToken({ name: 'OSemi', pattern: /;/ });
/** Any other single character: `= - * , . / : [ ] % ...` */
export const OSym = anyChar('OSym');

export const optionTokens: TokenType[] = [WhiteSpace, OString, ONumber, OK1, OWord, OLParen, ORParen, OSemi, OSym];

// ---------------------------------------------------------------------------
// MODEL bodies

/** Identifiers with derived suffixes: `c#1`, `u1$2`, `y&1`. */
/** Token categories (no pattern of their own): one CONSUME matches any member, which keeps the parser fast. */
export const MOp = createToken({ name: 'MOp', pattern: Lexer.NA });
export const MSign = createToken({ name: 'MSign', pattern: Lexer.NA });
/** what a label may be: a name or a number */
export const MAtom = createToken({ name: 'MAtom', pattern: Lexer.NA });
export const MIdent = createToken({ name: 'MIdent', pattern: /[A-Za-z_][A-Za-z0-9_]*(?:[#$&][A-Za-z0-9_]*)*/, categories: [MAtom] });
const mkw = (name: string, re: RegExp) => createToken({ name, pattern: re, longer_alt: MIdent, categories: [MOp] });
export const MBy = mkw('MBy', /BY/i);
export const MOn = mkw('MOn', /ON/i);
export const MWith = mkw('MWith', /WITH/i);
export const MPon = mkw('MPon', /PON/i);
export const MPwith = mkw('MPwith', /PWITH/i);
export const MXwith = mkw('MXwith', /XWITH/i);
export const MAt = mkw('MAt', /AT/i);
export const MInd = mkw('MInd', /IND/i);
export const MVia = mkw('MVia', /VIA/i);
export const MMod = mkw('MMod', /MOD/i);
export const MNumber = createToken({ name: 'MNumber', pattern: /(?:\d+\.?\d*|\.\d+)(?:[eEdD][+-]?\d+)?/, categories: [MAtom] });
export const MSemi = createToken({ name: 'MSemi', pattern: /;/ });
export const MLParen = createToken({ name: 'MLParen', pattern: /\(/ });
export const MRParen = createToken({ name: 'MRParen', pattern: /\)/ });
export const MLBracket = createToken({ name: 'MLBracket', pattern: /\[/ });
export const MRBracket = createToken({ name: 'MRBracket', pattern: /\]/ });
export const MLBrace = createToken({ name: 'MLBrace', pattern: /\{/ });
export const MRBrace = createToken({ name: 'MRBrace', pattern: /\}/ });
export const MPercent = createToken({ name: 'MPercent', pattern: /%/ });
export const MPipe = createToken({ name: 'MPipe', pattern: /\|/ });
export const MAtSign = createToken({ name: 'MAtSign', pattern: /@/ });
export const MStar = createToken({ name: 'MStar', pattern: /\*/ });
export const MMinus = createToken({ name: 'MMinus', pattern: /-/, categories: [MSign] });
export const MPlus = createToken({ name: 'MPlus', pattern: /\+/, categories: [MSign] });
export const MDot = createToken({ name: 'MDot', pattern: /\./ });
export const MComma = createToken({ name: 'MComma', pattern: /,/ });
/** `~v`: ESEM target rotation values (`f1 BY y1-y4~0`) */
export const MTilde = createToken({ name: 'MTilde', pattern: /~/ });
export const MOther = anyChar('MOther');

/** The statement keywords, in the order used by the parser's alternation. */
export const modelOps: TokenType[] = [MBy, MOn, MWith, MPon, MPwith, MXwith, MAt, MInd, MVia, MMod];

export const modelTokens: TokenType[] = [
  WhiteSpace, MOp, MSign, MAtom,
  // PWITH/XWITH before WITH is not needed (longer_alt on identifiers), but PON must precede ON
  MPwith, MXwith, MWith, MPon, MOn, MBy, MAt, MInd, MVia, MMod,
  MIdent, MNumber, MSemi, MLParen, MRParen, MLBracket, MRBracket, MLBrace, MRBrace,
  MPercent, MPipe, MAtSign, MStar, MMinus, MPlus, MDot, MComma, MTilde, MOther,
];

// ---------------------------------------------------------------------------
// Expression bodies (DEFINE, MODEL CONSTRAINT, MODEL TEST; MODEL PRIORS shares the tokens)

/** Token categories: binary operators, prefix operators (one CONSUME matches any member). */
export const EBinOp = createToken({ name: 'EBinOp', pattern: Lexer.NA });
export const EPrefix = createToken({ name: 'EPrefix', pattern: Lexer.NA });

/** Identifiers; `#` and `$` are DO-loop placeholders (`y#`, `d#$`), a lone `#` names the loop index. */
export const EIdent = createToken({ name: 'EIdent', pattern: /[A-Za-z_][A-Za-z0-9_]*(?:[#$][A-Za-z0-9_]*)*|[#$]/ });
const ekw = (name: string, re: RegExp, categories: TokenType[] = []) => createToken({ name, pattern: re, longer_alt: EIdent, categories });
export const EIf = ekw('EIf', /IF/i);
export const EThen = ekw('EThen', /THEN/i);
export const EDo = ekw('EDo', /DO/i);
export const ECut = ekw('ECut', /CUT/i);
export const ECenter = ekw('ECenter', abbrev('CENTER'));
export const EStandardize = ekw('EStandardize', abbrev('STANDARDIZE'));
export const ENew = ekw('ENew', /NEW/i);
export const EAnd = ekw('EAnd', /AND/i, [EBinOp]);
export const EOr = ekw('EOr', /OR/i, [EBinOp]);
export const ENot = ekw('ENot', /NOT/i, [EPrefix]);
export const EEqKw = ekw('EEqKw', /EQ/i, [EBinOp]);
export const ENeKw = ekw('ENeKw', /NE/i, [EBinOp]);
export const EGtKw = ekw('EGtKw', /GT/i, [EBinOp]);
export const EGeKw = ekw('EGeKw', /GE/i, [EBinOp]);
export const ELtKw = ekw('ELtKw', /LT/i, [EBinOp]);
export const ELeKw = ekw('ELeKw', /LE/i, [EBinOp]);
export const EMissing = ekw('EMissing', /_MISSING/i);
export const ENumber = createToken({ name: 'ENumber', pattern: /(?:\d+\.?\d*|\.\d+)(?:[eEdD][+-]?\d+)?/ });
export const EPow = createToken({ name: 'EPow', pattern: /\*\*/, categories: [EBinOp] });
export const EStar = createToken({ name: 'EStar', pattern: /\*/, categories: [EBinOp] });
export const ENeOp = createToken({ name: 'ENeOp', pattern: /\/=|<>/, categories: [EBinOp] });
export const ESlash = createToken({ name: 'ESlash', pattern: /\//, categories: [EBinOp] });
export const EEqEq = createToken({ name: 'EEqEq', pattern: /==/, categories: [EBinOp] });
export const ELe = createToken({ name: 'ELe', pattern: /<=/, categories: [EBinOp] });
export const EGe = createToken({ name: 'EGe', pattern: />=/, categories: [EBinOp] });
/** `=`: an assignment or relation at statement level, a comparison inside IF conditions (split by the visitor) */
export const EAssign = createToken({ name: 'EAssign', pattern: /=/, categories: [EBinOp] });
export const ELt = createToken({ name: 'ELt', pattern: /</, categories: [EBinOp] });
export const EGt = createToken({ name: 'EGt', pattern: />/, categories: [EBinOp] });
export const EPlus = createToken({ name: 'EPlus', pattern: /\+/, categories: [EBinOp, EPrefix] });
export const EMinus = createToken({ name: 'EMinus', pattern: /-/, categories: [EBinOp, EPrefix] });
export const ELParen = createToken({ name: 'ELParen', pattern: /\(/ });
export const ERParen = createToken({ name: 'ERParen', pattern: /\)/ });
export const EComma = createToken({ name: 'EComma', pattern: /,/ });
export const ESemi = createToken({ name: 'ESemi', pattern: /;/ });
/** `~` in MODEL PRIORS (`a ~ N(0, 1);`) */
export const ETilde = createToken({ name: 'ETilde', pattern: /~/ });
export const EOther = anyChar('EOther');

export const exprTokens: TokenType[] = [
  WhiteSpace, EBinOp, EPrefix,
  EThen, EIf, EDo, ECut, ECenter, EStandardize, ENew, EAnd, EOr, ENot,
  EEqKw, ENeKw, EGtKw, EGeKw, ELtKw, ELeKw, EMissing,
  EIdent, ENumber, EPow, EStar, ENeOp, ESlash, EEqEq, ELe, EGe, EAssign, ELt, EGt,
  EPlus, EMinus, ELParen, ERParen, EComma, ESemi, ETilde, EOther,
];

const lexerConfig = { positionTracking: 'onlyOffset' as const, ensureOptimizations: true };
export const optionLexer = new Lexer(optionTokens, lexerConfig);
export const modelLexer = new Lexer(modelTokens, lexerConfig);
export const exprLexer = new Lexer(exprTokens, lexerConfig);
