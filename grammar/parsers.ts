// Chevrotain CST parsers, one per kind of command body (see segment.ts and
// tokens.ts). They only describe the shape of the text; what a statement
// means (variance vs mean, label scope, canonical option names ...) is decided
// by the CST -> AST visitors in src/syntax. Each parser has a twin without
// error recovery for the first attempt (faster); the recovering one re-parses
// a body with errors, so one run reports several problems (see parseBody).
import { CstParser, type CstNode, type IToken, type IRecognitionException } from 'chevrotain';
import * as T from './tokens.js';

// ---------------------------------------------------------------------------
// Option commands: `NAME [=|IS|ARE] value ... ;` — a flat stream of values
// split at `;`, with balanced parentheses.

export class OptionParser extends CstParser {
  /** `recovery`: see parseBody (a parser without error recovery is faster on valid input). */
  constructor(recovery = true) {
    super(T.optionTokens, { recoveryEnabled: recovery, maxLookahead: 2, nodeLocationTracking: 'onlyOffset' });
    this.performSelfAnalysis();
  }

  // OR alternatives are built once (otherwise a new array and closures on every call)
  private alts1?: Parameters<CstParser['OR']>[0];
  private alts2?: Parameters<CstParser['OR']>[0];
  private alts3?: Parameters<CstParser['OR']>[0];

  body = this.RULE('body', () => {
    this.MANY(() => {
      this.OR((this.alts1 ??= [{ ALT: () => this.CONSUME(T.OSemi) }, { ALT: () => this.SUBRULE(this.value) }]));
    });
  });

  value = this.RULE('value', () => {
    this.OR((this.alts2 ??= [
      { ALT: () => this.CONSUME(T.OWord) },
      { ALT: () => this.CONSUME(T.ONumber) },
      { ALT: () => this.CONSUME(T.OString) },
      { ALT: () => this.CONSUME(T.OK1) },
      { ALT: () => this.CONSUME(T.OSym) },
      { ALT: () => this.SUBRULE(this.group) },
    ]));
  });

  group = this.RULE('group', () => {
    this.CONSUME(T.OLParen);
    this.MANY(() => {
      this.OR((this.alts3 ??= [{ ALT: () => this.SUBRULE(this.value) }, { ALT: () => this.CONSUME(T.OSemi) }]));
    });
    this.CONSUME(T.ORParen);
  });
}

// ---------------------------------------------------------------------------
// MODEL bodies.
//   body      := (section | statement | ';')*
//   section   := '%' name ('.' name)* '%'
//   statement := parts (op parts)? ('|' parts (op parts)?)? ';'
//   parts     := (item | labels | '[' (item|labels)* ']' | '{' (item|labels)* '}')+
//   item      := name ('-' name)? (('@' num) | ('*' num?))?
//   labels    := '(' ('*'? ['-'] (name|num) ('-' (name|num))? ','?)* ')'
// The final `;` is optional in the grammar: the visitor reports a missing one
// (warning at the end of a command, as Mplus does; error elsewhere).

export class ModelParser extends CstParser {
  /** `recovery`: see parseBody (a parser without error recovery is faster on valid input). */
  constructor(recovery = true) {
    super(T.modelTokens, { recoveryEnabled: recovery, maxLookahead: 3, nodeLocationTracking: 'onlyOffset' });
    this.performSelfAnalysis();
  }

  // Alternatives are built once (Chevrotain re-evaluates the array on every call otherwise).
  private bodyAlts?: Parameters<CstParser['OR']>[0];
  private partAlts?: Parameters<CstParser['OR']>[0];
  private innerAlts?: Parameters<CstParser['OR']>[0];
  private modAlts?: Parameters<CstParser['OR']>[0];

  body = this.RULE('body', () => {
    this.MANY(() => {
      this.OR(
        (this.bodyAlts ??= [
          { ALT: () => this.SUBRULE(this.section) },
          { ALT: () => this.CONSUME(T.MSemi) },
          { ALT: () => this.SUBRULE(this.statement) },
        ]),
      );
    });
  });

  section = this.RULE('section', () => {
    this.CONSUME(T.MPercent);
    this.CONSUME(T.MIdent);
    this.MANY(() => {
      this.CONSUME(T.MDot);
      this.CONSUME2(T.MIdent);
    });
    this.CONSUME2(T.MPercent);
  });

  /** ops (BY ON WITH PON PWITH XWITH AT IND VIA MOD) are one token category, labelled op / bodyOp */
  statement = this.RULE('statement', () => {
    this.SUBRULE(this.parts, { LABEL: 'lhs' });
    this.OPTION(() => {
      this.CONSUME(T.MOp, { LABEL: 'op' });
      this.SUBRULE2(this.parts, { LABEL: 'rhs' });
    });
    this.OPTION2(() => {
      this.CONSUME(T.MPipe);
      this.SUBRULE3(this.parts, { LABEL: 'body' });
      this.OPTION3(() => {
        this.CONSUME2(T.MOp, { LABEL: 'bodyOp' });
        this.SUBRULE4(this.parts, { LABEL: 'bodyRhs' });
      });
    });
    this.OPTION4(() => this.CONSUME(T.MSemi));
  });

  parts = this.RULE('parts', () => {
    this.AT_LEAST_ONE(() => {
      this.OR(
        (this.partAlts ??= [
          { ALT: () => this.SUBRULE(this.item) },
          { ALT: () => this.SUBRULE(this.labels) },
          { ALT: () => this.SUBRULE(this.bracket) },
          { ALT: () => this.SUBRULE(this.brace) },
        ]),
      );
    });
  });

  bracket = this.RULE('bracket', () => {
    this.CONSUME(T.MLBracket);
    this.MANY(() => this.OR((this.innerAlts ??= [{ ALT: () => this.SUBRULE(this.item) }, { ALT: () => this.SUBRULE(this.labels) }])));
    this.CONSUME(T.MRBracket);
  });

  brace = this.RULE('brace', () => {
    this.CONSUME(T.MLBrace);
    this.MANY(() => this.OR2((this.innerAlts ??= [{ ALT: () => this.SUBRULE(this.item) }, { ALT: () => this.SUBRULE(this.labels) }])));
    this.CONSUME(T.MRBrace);
  });

  /** `name`, `a-b`, then optionally `@ [sign] number`, `~ [sign] number` or `* [[sign] number]` (labelled mod, sign, num) */
  item = this.RULE('item', () => {
    this.CONSUME(T.MIdent, { LABEL: 'from' });
    this.OPTION(() => {
      this.CONSUME(T.MMinus);
      this.CONSUME2(T.MIdent, { LABEL: 'to' });
    });
    this.OPTION2(() => {
      this.OR(
        (this.modAlts ??= [
          {
            ALT: () => {
              this.CONSUME(T.MAtSign, { LABEL: 'mod' });
              this.OPTION3(() => this.CONSUME(T.MSign, { LABEL: 'sign' }));
              this.CONSUME(T.MNumber, { LABEL: 'num' });
            },
          },
          {
            ALT: () => {
              this.CONSUME(T.MTilde, { LABEL: 'mod' });
              this.OPTION6(() => this.CONSUME3(T.MSign, { LABEL: 'sign' }));
              this.CONSUME3(T.MNumber, { LABEL: 'num' });
            },
          },
          {
            ALT: () => {
              this.CONSUME(T.MStar, { LABEL: 'mod' });
              this.OPTION4(() => {
                this.OPTION5(() => this.CONSUME2(T.MSign, { LABEL: 'sign' }));
                this.CONSUME2(T.MNumber, { LABEL: 'num' });
              });
            },
          },
        ]),
      );
    });
  });

  labels = this.RULE('labels', () => {
    this.CONSUME(T.MLParen);
    this.MANY(() => this.SUBRULE(this.label));
    this.CONSUME(T.MRParen);
  });

  /** `[*] [sign] atom [- [sign] atom] [,]` with atom a name or number (labelled star, fromSign, from, toSign, to) */
  label = this.RULE('label', () => {
    this.OPTION(() => this.CONSUME(T.MStar, { LABEL: 'star' }));
    this.OPTION2(() => this.CONSUME(T.MSign, { LABEL: 'fromSign' }));
    this.CONSUME(T.MAtom, { LABEL: 'from' });
    this.OPTION3(() => {
      this.CONSUME(T.MMinus);
      this.OPTION4(() => this.CONSUME2(T.MSign, { LABEL: 'toSign' }));
      this.CONSUME2(T.MAtom, { LABEL: 'to' });
    });
    this.OPTION5(() => this.CONSUME(T.MComma));
  });
}

// ---------------------------------------------------------------------------
// Expression bodies: DEFINE, MODEL CONSTRAINT, MODEL TEST.
//   statement := IF '(' expr ')' THEN statement
//              | DO '(' doArg (',' doArg)* ')' statement
//              | NEW '(' (name ('*' num)? ','?)* ')' ';'
//              | CUT nameList '(' num* ')' ';' | CENTER nameList '(' name* ')' ';' | STANDARDIZE nameList ';'
//              | expr ';'      (assignments and relations: `=` is split off by the visitor)
// Expressions are flat in the grammar; precedence (OR < AND < NOT < comparison
// < + - < * / < unary - < ** right-assoc) is applied by the visitor.

export class ExprParser extends CstParser {
  /** `recovery`: see parseBody (a parser without error recovery is faster on valid input). */
  constructor(recovery = true) {
    super(T.exprTokens, { recoveryEnabled: recovery, maxLookahead: 3, nodeLocationTracking: 'onlyOffset' });
    this.performSelfAnalysis();
  }

  // OR alternatives are built once (otherwise a new array and closures on every call)
  private alts4?: Parameters<CstParser['OR']>[0];
  private alts5?: Parameters<CstParser['OR']>[0];
  private alts6?: Parameters<CstParser['OR']>[0];
  private alts7?: Parameters<CstParser['OR']>[0];

  body = this.RULE('body', () => {
    this.MANY(() => {
      this.OR((this.alts4 ??= [{ ALT: () => this.CONSUME(T.ESemi) }, { ALT: () => this.SUBRULE(this.statement) }]));
    });
  });

  statement = this.RULE('statement', () => {
    this.OR((this.alts5 ??= [
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.doStmt) },
      { ALT: () => this.SUBRULE(this.newStmt) },
      { ALT: () => this.SUBRULE(this.cutStmt) },
      { ALT: () => this.SUBRULE(this.centerStmt) },
      { ALT: () => this.SUBRULE(this.standardizeStmt) },
      { ALT: () => this.SUBRULE(this.exprStmt) },
    ]));
  });

  ifStmt = this.RULE('ifStmt', () => {
    this.CONSUME(T.EIf);
    this.CONSUME(T.ELParen);
    this.SUBRULE(this.expr, { LABEL: 'cond' });
    this.CONSUME(T.ERParen);
    this.CONSUME(T.EThen);
    this.SUBRULE(this.statement);
  });

  doStmt = this.RULE('doStmt', () => {
    this.CONSUME(T.EDo);
    this.CONSUME(T.ELParen);
    this.SUBRULE(this.doArg);
    this.MANY(() => {
      this.CONSUME(T.EComma);
      this.SUBRULE2(this.doArg);
    });
    this.CONSUME(T.ERParen);
    this.SUBRULE(this.statement);
  });

  doArg = this.RULE('doArg', () => {
    this.OR((this.alts6 ??= [
      { ALT: () => this.CONSUME(T.EIdent) },
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(T.EMinus));
          this.CONSUME(T.ENumber);
        },
      },
    ]));
  });

  newStmt = this.RULE('newStmt', () => {
    this.CONSUME(T.ENew);
    this.CONSUME(T.ELParen);
    this.MANY(() => {
      this.CONSUME(T.EIdent);
      this.OPTION(() => {
        this.CONSUME(T.EStar);
        this.OPTION2(() => this.OR((this.alts7 ??= [{ ALT: () => this.CONSUME(T.EMinus) }, { ALT: () => this.CONSUME(T.EPlus) }])));
        this.CONSUME(T.ENumber);
      });
      this.OPTION3(() => this.CONSUME(T.EComma));
    });
    this.CONSUME(T.ERParen);
    this.OPTION4(() => this.CONSUME(T.ESemi));
  });

  nameList = this.RULE('nameList', () => {
    this.AT_LEAST_ONE(() => {
      this.CONSUME(T.EIdent, { LABEL: 'from' });
      this.OPTION(() => {
        this.CONSUME(T.EMinus);
        this.CONSUME2(T.EIdent, { LABEL: 'to' });
      });
      this.OPTION2(() => this.CONSUME(T.EComma));
    });
  });

  cutStmt = this.RULE('cutStmt', () => {
    this.CONSUME(T.ECut);
    this.SUBRULE(this.nameList);
    this.CONSUME(T.ELParen);
    this.MANY(() => {
      this.OPTION(() => this.CONSUME(T.EMinus));
      this.CONSUME(T.ENumber);
      this.OPTION2(() => this.CONSUME(T.EComma));
    });
    this.CONSUME(T.ERParen);
    this.OPTION3(() => this.CONSUME(T.ESemi));
  });

  centerStmt = this.RULE('centerStmt', () => {
    this.CONSUME(T.ECenter);
    this.SUBRULE(this.nameList);
    this.CONSUME(T.ELParen);
    this.MANY(() => this.CONSUME2(T.EIdent, { LABEL: 'mode' }));
    this.CONSUME(T.ERParen);
    this.OPTION(() => this.CONSUME(T.ESemi));
  });

  standardizeStmt = this.RULE('standardizeStmt', () => {
    this.CONSUME(T.EStandardize);
    this.SUBRULE(this.nameList);
    this.OPTION(() => this.CONSUME(T.ESemi));
  });

  /** `a = b;`, `a > 0;`, `PLOT(y);`: the `=` is one of the flat expression's operators (see the visitor) */
  exprStmt = this.RULE('exprStmt', () => {
    this.SUBRULE(this.expr, { LABEL: 'left' });
    this.OPTION(() => this.CONSUME(T.ESemi));
  });

  /**
   * Expressions are parsed flat: operands separated by binary operators, each
   * operand with its prefix operators (`-`, `+`, NOT). Precedence and
   * associativity are applied by the visitor (src/syntax/visit-expr.ts); a
   * flat rule is several times faster than one rule per precedence level.
   */
  expr = this.RULE('expr', () => {
    this.SUBRULE(this.operand, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(T.EBinOp, { LABEL: 'ops' });
      this.SUBRULE2(this.operand, { LABEL: 'operands' });
    });
  });

  operand = this.RULE('operand', () => {
    this.MANY(() => this.CONSUME(T.EPrefix, { LABEL: 'prefix' }));
    this.SUBRULE(this.primary);
  });

  private primaryAlts?: Parameters<CstParser['OR']>[0];

  primary = this.RULE('primary', () => {
    this.OR(
      (this.primaryAlts ??= [
        { ALT: () => this.CONSUME(T.ENumber) },
        { ALT: () => this.CONSUME(T.EMissing) },
        {
          ALT: () => {
            this.CONSUME(T.EIdent);
            this.OPTION(() => {
              this.CONSUME(T.ELParen, { LABEL: 'call' });
              this.OPTION2(() => {
                this.SUBRULE(this.expr, { LABEL: 'args' });
                this.MANY(() => {
                  this.OPTION3(() => this.CONSUME(T.EComma));
                  this.SUBRULE2(this.expr, { LABEL: 'args' });
                });
              });
              this.CONSUME(T.ERParen);
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME2(T.ELParen);
            this.SUBRULE3(this.expr, { LABEL: 'inner' });
            this.CONSUME2(T.ERParen);
          },
        },
      ]),
    );
  });
}

// One instance of each parser (Chevrotain parsers are reusable: set `input`, call the rule).
export const optionParser = new OptionParser();
export const modelParser = new ModelParser();
export const exprParser = new ExprParser();

/**
 * Twins without error recovery: valid input (the common case) is parsed by
 * these first, which is faster; only a body with errors is parsed again by the
 * recovering parser above, which reports several problems in one run.
 */
const fastTwin = new Map<OptionParser | ModelParser | ExprParser, OptionParser | ModelParser | ExprParser>([
  [optionParser, new OptionParser(false)],
  [modelParser, new ModelParser(false)],
  [exprParser, new ExprParser(false)],
]);

export interface CstResult {
  cst: CstNode;
  errors: IRecognitionException[];
}

/**
 * Parse a token vector without error recovery: the CST, or null when the input
 * has a syntax error (then parse it with parseBody to get the diagnostics).
 */
export function tryParseBody(parser: OptionParser | ModelParser | ExprParser, tokens: IToken[]): CstNode | null {
  const fast = fastTwin.get(parser)!;
  fast.input = tokens;
  const cst = fast.body();
  return fast.errors.length === 0 ? cst : null;
}

/** Parse a token vector with the given (recovering) parser's `body` rule. */
export function parseBody(parser: OptionParser | ModelParser | ExprParser, tokens: IToken[]): CstResult {
  const fast = fastTwin.get(parser);
  if (fast) {
    fast.input = tokens;
    const cst = fast.body();
    if (fast.errors.length === 0) return { cst, errors: [] };
  }
  parser.input = tokens;
  const cst = parser.body();
  return { cst, errors: parser.errors.slice() };
}
