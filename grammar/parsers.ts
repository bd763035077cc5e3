// Chevrotain parsers, one per kind of command body (see segment.ts and
// tokens.ts). They only describe the shape of the text; what a statement
// means (variance vs mean, label scope, canonical option names ...) is decided
// by the visitors in src/syntax. Option bodies give a Chevrotain CST; MODEL and
// expression bodies give syntax records (see below). Each parser has a twin without
// error recovery for the first attempt (faster); the recovering one re-parses
// a body with errors, so one run reports several problems (see parseBody).
import { CstParser, EmbeddedActionsParser, type IOrAlt, type IToken, type IRecognitionException, type TokenType } from 'chevrotain';
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
// MODEL and expression bodies are parsed by embedded-action parsers: instead of
// Chevrotain's generic CST (a node with a children dictionary and one array per
// child name, for every rule call) each rule returns a small syntax record that
// holds the tokens it consumed in source order (`Rec` types below). The records
// are still purely syntactic: the visitors in src/syntax decide what they mean.
// This keeps the grammar/visitor split, allocates a third less and parses a
// large input about 30% faster (MODEL and constraint bodies are most of a long
// script); see docs/architecture.md.
//
// Offsets: `start` is the first consumed token's offset, `end` the exclusive end
// of the last one (NaN when a rule consumed nothing). Tokens invented by error
// recovery have NaN offsets and `isInsertedInRecovery`: use src/syntax/cst.ts `real`.
// Error recovery: a body or MODEL rule that re-synchronises returns what it had
// read so far (`recoveryValueFunc`), as Chevrotain's CST parser returns a partial
// node; the other expression rules return undefined then (callers check).

/** Offsets of a parser's last consumed token / next token. */
abstract class RecordParser extends EmbeddedActionsParser {
  /** exclusive end offset of the last consumed (real) token */
  protected lastEnd(): number {
    const t = this.LA(0);
    return t.startOffset + t.image.length;
  }

  /** A partial record returned by error recovery: it ends at the last token read. (The rules set their record before anything can fail.) */
  protected recovered<R extends { end: number }>(r: R): R {
    r.end = this.lastEnd();
    return r;
  }

  /** offset of the next token (a rule's start, read before it consumes anything) */
  protected nextStart(): number {
    return this.LA(1).startOffset;
  }
}

type Alts<T> = IOrAlt<T>[];

// ---------------------------------------------------------------------------
// MODEL bodies.
//   body      := (section | statement | ';')*
//   section   := '%' name ('.' name)* name? '%'
//   statement := parts (op parts)? ('|' parts (op parts)?)? ';'
//   parts     := (item | labels | '[' (item|labels)* ']' | '{' (item|labels)* '}')+
//   item      := name ('-' name)? (('@' num) | ('*' num?))?
//   labels    := '(' ('*'? ['-'] (name|num) ('-' (name|num))? ','?)* ')'
// The final `;` is optional in the grammar: the visitor reports a missing one
// (warning at the end of a command, as Mplus does; error elsewhere).

/** `%WITHIN%`, `%c#1.cb#2%` */
export interface MSectionRec {
  kind: 'section';
  names: IToken[];
  /** `%BETWEEN level2%`: the level name after the section name (TYPE = THREELEVEL) */
  label?: IToken;
  start: number;
  end: number;
}

/** `name`, `a-b`, with `@ [sign] num`, `~ [sign] num` or `* [[sign] num]` */
export interface MItemRec {
  kind: 'item';
  from: IToken;
  to: IToken | undefined;
  /** `@`, `*` or `~` */
  mod: IToken | undefined;
  sign: IToken | undefined;
  num: IToken | undefined;
  start: number;
  end: number;
}

/** one label in `( )`: `[*] [sign] atom [- [sign] atom] [,]` */
export interface MLabelRec {
  star: IToken | undefined;
  fromSign: IToken | undefined;
  from: IToken | undefined;
  toSign: IToken | undefined;
  to: IToken | undefined;
}

export interface MLabelsRec {
  kind: 'labels';
  labels: MLabelRec[];
  start: number;
  end: number;
}

/** `[ ... ]` or `{ ... }` */
export interface MGroupRec {
  kind: 'bracket' | 'brace';
  parts: Array<MItemRec | MLabelsRec>;
  start: number;
  end: number;
}

export type MPartRec = MItemRec | MLabelsRec | MGroupRec;

export interface MStatementRec {
  kind: 'statement';
  lhs: MPartRec[];
  /** BY ON WITH PON PWITH XWITH AT IND VIA MOD (one token category) */
  op: IToken | undefined;
  rhs: MPartRec[];
  pipe: IToken | undefined;
  /** after `|`: `body [bodyOp bodyRhs]` */
  body: MPartRec[];
  bodyOp: IToken | undefined;
  bodyRhs: MPartRec[];
  semi: IToken | undefined;
  start: number;
  end: number;
}

/** The parts of a statement not (yet) read: shared, never modified (`parts` returns a new array). */
const NO_PARTS: MPartRec[] = [];

/** Sections and statements in source order (`;` alone is dropped). */
export type MBodyRec = Array<MSectionRec | MStatementRec>;

export class ModelParser extends RecordParser {
  /** `recovery`: see parseBody (a parser without error recovery is faster on valid input). */
  constructor(recovery = true) {
    super(T.modelTokens, { recoveryEnabled: recovery, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  // Alternatives are built once (Chevrotain re-evaluates the array on every call otherwise).
  private bodyAlts?: Alts<MSectionRec | MStatementRec | undefined>;
  private partAlts?: Alts<MPartRec | undefined>;
  private innerAlts?: Alts<MItemRec | MLabelsRec | undefined>;
  private modAlts?: Alts<void>;

  // The record each (non-recursive) rule is filling: returned by error recovery.
  private bodyOut: MBodyRec = [];
  private sectionRec?: MSectionRec;
  private stmtRec?: MStatementRec;
  private partsOut: MPartRec[] = [];
  private groupRec?: MGroupRec;
  private itemRec?: MItemRec;
  private labelsRec?: MLabelsRec;
  private labelRec?: MLabelRec;

  body = this.RULE(
    'body',
    (): MBodyRec => {
      const out: MBodyRec = (this.bodyOut = []);
      this.MANY(() => {
        const x = this.OR(
          (this.bodyAlts ??= [
            { ALT: () => this.SUBRULE(this.section) },
            { ALT: () => void this.CONSUME(T.MSemi) },
            { ALT: () => this.SUBRULE(this.statement) },
          ]),
        );
        if (x) out.push(x);
      });
      return out;
    },
    { recoveryValueFunc: () => this.bodyOut },
  );

  section = this.RULE(
    'section',
    (): MSectionRec => {
      const sec: MSectionRec = (this.sectionRec = { kind: 'section', names: [], start: this.CONSUME(T.MPercent).startOffset, end: NaN });
      sec.names.push(this.CONSUME(T.MIdent));
      this.MANY(() => {
        this.CONSUME(T.MDot);
        sec.names.push(this.CONSUME2(T.MIdent));
      });
      // TYPE = THREELEVEL: `%BETWEEN level2%`
      this.OPTION(() => {
        sec.label = this.CONSUME3(T.MIdent);
      });
      this.CONSUME2(T.MPercent);
      sec.end = this.lastEnd();
      return sec;
    },
    { recoveryValueFunc: () => this.recovered(this.sectionRec!) },
  );

  statement = this.RULE(
    'statement',
    (): MStatementRec => {
      const st: MStatementRec = (this.stmtRec = {
        kind: 'statement', lhs: NO_PARTS, op: undefined, rhs: NO_PARTS, pipe: undefined, body: NO_PARTS, bodyOp: undefined, bodyRhs: NO_PARTS, semi: undefined,
        start: this.nextStart(), end: NaN,
      });
      st.lhs = this.SUBRULE(this.parts);
      this.OPTION(() => {
        st.op = this.CONSUME(T.MOp);
        st.rhs = this.SUBRULE2(this.parts);
      });
      this.OPTION2(() => {
        st.pipe = this.CONSUME(T.MPipe);
        st.body = this.SUBRULE3(this.parts);
        this.OPTION3(() => {
          st.bodyOp = this.CONSUME2(T.MOp);
          st.bodyRhs = this.SUBRULE4(this.parts);
        });
      });
      this.OPTION4(() => {
        st.semi = this.CONSUME(T.MSemi);
      });
      st.end = this.lastEnd();
      return st;
    },
    { recoveryValueFunc: () => this.recovered(this.stmtRec!) },
  );

  parts = this.RULE(
    'parts',
    (): MPartRec[] => {
      const out: MPartRec[] = (this.partsOut = []);
      this.AT_LEAST_ONE(() => {
        const p = this.OR(
          (this.partAlts ??= [
            { ALT: () => this.SUBRULE(this.item) },
            { ALT: () => this.SUBRULE(this.labels) },
            { ALT: () => this.SUBRULE(this.bracket) },
            { ALT: () => this.SUBRULE(this.brace) },
          ]),
        );
        if (p) out.push(p);
      });
      return out;
    },
    { recoveryValueFunc: () => this.partsOut },
  );

  private group(kind: 'bracket' | 'brace', open: TokenType, close: TokenType): MGroupRec {
    const g: MGroupRec = (this.groupRec = { kind, parts: [], start: this.CONSUME(open).startOffset, end: NaN });
    this.MANY(() => {
      const p = this.OR((this.innerAlts ??= [{ ALT: () => this.SUBRULE(this.item) }, { ALT: () => this.SUBRULE(this.labels) }]));
      if (p) g.parts.push(p);
    });
    this.CONSUME(close);
    g.end = this.lastEnd();
    return g;
  }

  private groupRecovered = (): MGroupRec => this.recovered(this.groupRec!);

  bracket = this.RULE('bracket', (): MGroupRec => this.group('bracket', T.MLBracket, T.MRBracket), { recoveryValueFunc: this.groupRecovered });
  brace = this.RULE('brace', (): MGroupRec => this.group('brace', T.MLBrace, T.MRBrace), { recoveryValueFunc: this.groupRecovered });

  item = this.RULE(
    'item',
    (): MItemRec => {
      const from = this.CONSUME(T.MIdent);
      const it: MItemRec = (this.itemRec = { kind: 'item', from, to: undefined, mod: undefined, sign: undefined, num: undefined, start: from.startOffset, end: NaN });
      this.OPTION(() => {
        this.CONSUME(T.MMinus);
        it.to = this.CONSUME2(T.MIdent);
      });
      this.OPTION2(() => {
        this.OR(
          (this.modAlts ??= [
            {
              ALT: () => {
                const r = this.itemRec!;
                r.mod = this.CONSUME(T.MAtSign);
                this.OPTION3(() => {
                  r.sign = this.CONSUME(T.MSign);
                });
                r.num = this.CONSUME(T.MNumber);
              },
            },
            {
              ALT: () => {
                const r = this.itemRec!;
                r.mod = this.CONSUME(T.MTilde);
                this.OPTION6(() => {
                  r.sign = this.CONSUME3(T.MSign);
                });
                r.num = this.CONSUME3(T.MNumber);
              },
            },
            {
              ALT: () => {
                const r = this.itemRec!;
                r.mod = this.CONSUME(T.MStar);
                this.OPTION4(() => {
                  this.OPTION5(() => {
                    r.sign = this.CONSUME2(T.MSign);
                  });
                  r.num = this.CONSUME2(T.MNumber);
                });
              },
            },
          ]),
        );
      });
      it.end = this.lastEnd();
      return it;
    },
    { recoveryValueFunc: () => this.recovered(this.itemRec!) },
  );

  labels = this.RULE(
    'labels',
    (): MLabelsRec => {
      const g: MLabelsRec = (this.labelsRec = { kind: 'labels', labels: [], start: this.CONSUME(T.MLParen).startOffset, end: NaN });
      this.MANY(() => {
        const l = this.SUBRULE(this.label);
        if (l) g.labels.push(l);
      });
      this.CONSUME(T.MRParen);
      g.end = this.lastEnd();
      return g;
    },
    { recoveryValueFunc: () => this.recovered(this.labelsRec!) },
  );

  label = this.RULE(
    'label',
    (): MLabelRec => {
      const l: MLabelRec = (this.labelRec = { star: undefined, fromSign: undefined, from: undefined, toSign: undefined, to: undefined });
      this.OPTION(() => {
        l.star = this.CONSUME(T.MStar);
      });
      this.OPTION2(() => {
        l.fromSign = this.CONSUME(T.MSign);
      });
      l.from = this.CONSUME(T.MAtom);
      this.OPTION3(() => {
        this.CONSUME(T.MMinus);
        this.OPTION4(() => {
          l.toSign = this.CONSUME2(T.MSign);
        });
        l.to = this.CONSUME2(T.MAtom);
      });
      this.OPTION5(() => this.CONSUME(T.MComma));
      return l;
    },
    { recoveryValueFunc: () => this.labelRec! },
  );
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

/** A flat expression: operands separated by binary operators (ops.length = operands.length - 1 unless broken). */
export interface EExprRec {
  operands: EOperandRec[];
  ops: IToken[];
  start: number;
  end: number;
}

export interface EOperandRec {
  /** prefix operators `-`, `+`, NOT (undefined when none) */
  prefix: IToken[] | undefined;
  primary: EPrimaryRec | undefined;
}

/** number, _MISSING, name, call `name(args)` or `( inner )`; `tok` is the first token */
export interface EPrimaryRec {
  kind: 'num' | 'missing' | 'ref' | 'paren';
  tok: IToken;
  /** `(` of a call */
  call: IToken | undefined;
  args: EExprRec[] | undefined;
  inner: EExprRec | undefined;
  start: number;
  end: number;
}

/** `name`, `a - b` in CUT / CENTER / STANDARDIZE */
export interface ENameRec {
  from: IToken;
  to: IToken | undefined;
}

/** `#`, `i`, `[-] number` in `DO (...)` */
export interface EDoArgRec {
  ident: IToken | undefined;
  minus: IToken | undefined;
  num: IToken | undefined;
}

interface EStatementBase {
  start: number;
  end: number;
}
export type EStatementRec =
  | (EStatementBase & { kind: 'if'; cond: EExprRec | undefined; then: EStatementRec | undefined })
  | (EStatementBase & { kind: 'do'; args: EDoArgRec[]; then: EStatementRec | undefined })
  /** `toks`: the names, `-` signs and numbers in order */
  | (EStatementBase & { kind: 'new'; toks: IToken[]; semi: IToken | undefined })
  /** `cuts`: `-` signs and numbers in order */
  | (EStatementBase & { kind: 'cut'; names: ENameRec[]; cuts: IToken[]; semi: IToken | undefined })
  | (EStatementBase & { kind: 'center'; names: ENameRec[]; modes: IToken[]; semi: IToken | undefined })
  | (EStatementBase & { kind: 'standardize'; names: ENameRec[]; semi: IToken | undefined })
  | (EStatementBase & { kind: 'expr'; expr: EExprRec | undefined; semi: IToken | undefined });

/** Statements in source order (`;` alone is dropped). */
export type EBodyRec = EStatementRec[];

export class ExprParser extends RecordParser {
  /** `recovery`: see parseBody (a parser without error recovery is faster on valid input). */
  constructor(recovery = true) {
    super(T.exprTokens, { recoveryEnabled: recovery, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  // OR alternatives are built once (otherwise a new array and closures on every call)
  private bodyAlts?: Alts<EStatementRec | undefined>;
  private stmtAlts?: Alts<EStatementRec>;
  private doArgAlts?: Alts<EDoArgRec>;
  private signAlts?: Alts<IToken>;
  private primaryAlts?: Alts<EPrimaryRec>;

  private bodyOut: EBodyRec = [];

  body = this.RULE(
    'body',
    (): EBodyRec => {
      const out: EBodyRec = (this.bodyOut = []);
      this.MANY(() => {
        const s = this.OR((this.bodyAlts ??= [{ ALT: () => void this.CONSUME(T.ESemi) }, { ALT: () => this.SUBRULE(this.statement) }]));
        if (s) out.push(s);
      });
      return out;
    },
    { recoveryValueFunc: () => this.bodyOut },
  );

  statement = this.RULE('statement', (): EStatementRec => {
    return this.OR((this.stmtAlts ??= [
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.doStmt) },
      { ALT: () => this.SUBRULE(this.newStmt) },
      { ALT: () => this.SUBRULE(this.cutStmt) },
      { ALT: () => this.SUBRULE(this.centerStmt) },
      { ALT: () => this.SUBRULE(this.standardizeStmt) },
      { ALT: () => this.SUBRULE(this.exprStmt) },
    ]));
  });

  ifStmt = this.RULE('ifStmt', (): EStatementRec => {
    const start = this.CONSUME(T.EIf).startOffset;
    this.CONSUME(T.ELParen);
    const cond = this.SUBRULE(this.expr);
    this.CONSUME(T.ERParen);
    this.CONSUME(T.EThen);
    const then = this.SUBRULE(this.statement);
    return { kind: 'if', cond, then, start, end: this.lastEnd() };
  });

  doStmt = this.RULE('doStmt', (): EStatementRec => {
    const start = this.CONSUME(T.EDo).startOffset;
    this.CONSUME(T.ELParen);
    const args = [this.SUBRULE(this.doArg)];
    this.MANY(() => {
      this.CONSUME(T.EComma);
      args.push(this.SUBRULE2(this.doArg));
    });
    this.CONSUME(T.ERParen);
    const then = this.SUBRULE(this.statement);
    return { kind: 'do', args: args.filter((a) => a), then, start, end: this.lastEnd() };
  });

  doArg = this.RULE('doArg', (): EDoArgRec => {
    return this.OR((this.doArgAlts ??= [
      { ALT: () => ({ ident: this.CONSUME(T.EIdent), minus: undefined, num: undefined }) },
      {
        ALT: () => {
          let minus: IToken | undefined;
          this.OPTION(() => {
            minus = this.CONSUME(T.EMinus);
          });
          return { ident: undefined, minus, num: this.CONSUME(T.ENumber) };
        },
      },
    ]));
  });

  newStmt = this.RULE('newStmt', (): EStatementRec => {
    const start = this.CONSUME(T.ENew).startOffset;
    const toks: IToken[] = [];
    let semi: IToken | undefined;
    this.CONSUME(T.ELParen);
    this.MANY(() => {
      toks.push(this.CONSUME(T.EIdent));
      this.OPTION(() => {
        this.CONSUME(T.EStar);
        this.OPTION2(() => {
          const s = this.OR((this.signAlts ??= [{ ALT: () => this.CONSUME(T.EMinus) }, { ALT: () => this.CONSUME(T.EPlus) }]));
          if (s.tokenType === T.EMinus) toks.push(s);
        });
        toks.push(this.CONSUME(T.ENumber));
      });
      this.OPTION3(() => this.CONSUME(T.EComma));
    });
    this.CONSUME(T.ERParen);
    this.OPTION4(() => {
      semi = this.CONSUME(T.ESemi);
    });
    return { kind: 'new', toks, semi, start, end: this.lastEnd() };
  });

  nameList = this.RULE('nameList', (): ENameRec[] => {
    const out: ENameRec[] = [];
    this.AT_LEAST_ONE(() => {
      const n: ENameRec = { from: this.CONSUME(T.EIdent), to: undefined };
      out.push(n);
      this.OPTION(() => {
        this.CONSUME(T.EMinus);
        n.to = this.CONSUME2(T.EIdent);
      });
      this.OPTION2(() => this.CONSUME(T.EComma));
    });
    return out;
  });

  cutStmt = this.RULE('cutStmt', (): EStatementRec => {
    const start = this.CONSUME(T.ECut).startOffset;
    const names = this.SUBRULE(this.nameList) ?? [];
    const cuts: IToken[] = [];
    let semi: IToken | undefined;
    this.CONSUME(T.ELParen);
    this.MANY(() => {
      this.OPTION(() => cuts.push(this.CONSUME(T.EMinus)));
      cuts.push(this.CONSUME(T.ENumber));
      this.OPTION2(() => this.CONSUME(T.EComma));
    });
    this.CONSUME(T.ERParen);
    this.OPTION3(() => {
      semi = this.CONSUME(T.ESemi);
    });
    return { kind: 'cut', names, cuts, semi, start, end: this.lastEnd() };
  });

  centerStmt = this.RULE('centerStmt', (): EStatementRec => {
    const start = this.CONSUME(T.ECenter).startOffset;
    const names = this.SUBRULE(this.nameList) ?? [];
    const modes: IToken[] = [];
    let semi: IToken | undefined;
    this.CONSUME(T.ELParen);
    this.MANY(() => modes.push(this.CONSUME2(T.EIdent)));
    this.CONSUME(T.ERParen);
    this.OPTION(() => {
      semi = this.CONSUME(T.ESemi);
    });
    return { kind: 'center', names, modes, semi, start, end: this.lastEnd() };
  });

  standardizeStmt = this.RULE('standardizeStmt', (): EStatementRec => {
    const start = this.CONSUME(T.EStandardize).startOffset;
    const names = this.SUBRULE(this.nameList) ?? [];
    let semi: IToken | undefined;
    this.OPTION(() => {
      semi = this.CONSUME(T.ESemi);
    });
    return { kind: 'standardize', names, semi, start, end: this.lastEnd() };
  });

  /** `a = b;`, `a > 0;`, `PLOT(y);`: the `=` is one of the flat expression's operators (see the visitor) */
  exprStmt = this.RULE('exprStmt', (): EStatementRec => {
    const start = this.nextStart();
    const expr = this.SUBRULE(this.expr);
    let semi: IToken | undefined;
    this.OPTION(() => {
      semi = this.CONSUME(T.ESemi);
    });
    return { kind: 'expr', expr, semi, start, end: this.lastEnd() };
  });

  /**
   * Expressions are parsed flat: operands separated by binary operators, each
   * operand with its prefix operators (`-`, `+`, NOT). Precedence and
   * associativity are applied by the visitor (src/syntax/visit-expr.ts); a
   * flat rule is several times faster than one rule per precedence level.
   */
  expr = this.RULE('expr', (): EExprRec => {
    const e: EExprRec = { operands: [], ops: [], start: this.nextStart(), end: NaN };
    const first = this.SUBRULE(this.operand);
    if (first) e.operands.push(first);
    this.MANY(() => {
      e.ops.push(this.CONSUME(T.EBinOp));
      const o = this.SUBRULE2(this.operand);
      if (o) e.operands.push(o);
    });
    e.end = this.lastEnd();
    return e;
  });

  operand = this.RULE('operand', (): EOperandRec => {
    let prefix: IToken[] | undefined;
    this.MANY(() => {
      (prefix ??= []).push(this.CONSUME(T.EPrefix));
    });
    return { prefix, primary: this.SUBRULE(this.primary) };
  });

  primary = this.RULE('primary', (): EPrimaryRec => {
    return this.OR(
      (this.primaryAlts ??= [
        { ALT: () => this.leaf('num', this.CONSUME(T.ENumber)) },
        { ALT: () => this.leaf('missing', this.CONSUME(T.EMissing)) },
        {
          ALT: () => {
            const p = this.leaf('ref', this.CONSUME(T.EIdent));
            this.OPTION(() => {
              p.call = this.CONSUME(T.ELParen);
              const args: EExprRec[] = (p.args = []);
              this.OPTION2(() => {
                args.push(this.SUBRULE(this.expr));
                this.MANY(() => {
                  this.OPTION3(() => this.CONSUME(T.EComma));
                  args.push(this.SUBRULE2(this.expr));
                });
              });
              this.CONSUME(T.ERParen);
              p.end = this.lastEnd();
            });
            return p;
          },
        },
        {
          ALT: () => {
            const p = this.leaf('paren', this.CONSUME2(T.ELParen));
            p.inner = this.SUBRULE3(this.expr);
            this.CONSUME2(T.ERParen);
            p.end = this.lastEnd();
            return p;
          },
        },
      ]),
    );
  });

  private leaf(kind: EPrimaryRec['kind'], tok: IToken): EPrimaryRec {
    return { kind, tok, call: undefined, args: undefined, inner: undefined, start: tok.startOffset, end: tok.startOffset + tok.image.length };
  }
}

// ---------------------------------------------------------------------------
// MODEL PRIORS (Bayesian priors; plusmix estimates by ML, so they are only read):
//   body   := (';' | prior)*
//   prior  := target+ '~' name '(' ([sign] number ','?)* ')' ';'
//   target := name ['-' name] | name '(' (name ['-' name] ','?)* ')'      (`a`, `p1-p5`, `DIFF(a1-a5)`)
// Expression tokens; a label spelled like an expression keyword (`ne`, `or`) is not accepted here.

export interface PTargetRec {
  name: IToken;
  /** `name - to` */
  to: IToken | undefined;
  /** `(` of `DIFF( ... )` */
  call: IToken | undefined;
  inner: ENameRec[];
  start: number;
  end: number;
}

export interface PPriorRec {
  targets: PTargetRec[];
  dist: IToken | undefined;
  /** parameters: `-` / `+` signs and numbers in order */
  params: IToken[];
  semi: IToken | undefined;
  start: number;
  end: number;
}

export class PriorsParser extends RecordParser {
  constructor(recovery = true) {
    super(T.exprTokens, { recoveryEnabled: recovery, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  private bodyAlts?: Alts<PPriorRec | undefined>;
  private bodyOut: PPriorRec[] = [];

  body = this.RULE(
    'body',
    (): PPriorRec[] => {
      const out: PPriorRec[] = (this.bodyOut = []);
      this.MANY(() => {
        const p = this.OR((this.bodyAlts ??= [{ ALT: () => void this.CONSUME(T.ESemi) }, { ALT: () => this.SUBRULE(this.prior) }]));
        if (p) out.push(p);
      });
      return out;
    },
    { recoveryValueFunc: () => this.bodyOut },
  );

  prior = this.RULE('prior', (): PPriorRec => {
    const p: PPriorRec = { targets: [], dist: undefined, params: [], semi: undefined, start: this.nextStart(), end: NaN };
    this.AT_LEAST_ONE(() => {
      const t = this.SUBRULE(this.target);
      if (t) p.targets.push(t);
    });
    this.CONSUME(T.ETilde);
    p.dist = this.CONSUME(T.EIdent);
    this.CONSUME(T.ELParen);
    this.MANY(() => {
      this.OPTION(() => p.params.push(this.CONSUME(T.EPrefix)));
      p.params.push(this.CONSUME(T.ENumber));
      this.OPTION2(() => this.CONSUME(T.EComma));
    });
    this.CONSUME(T.ERParen);
    this.OPTION3(() => {
      p.semi = this.CONSUME(T.ESemi);
    });
    p.end = this.lastEnd();
    return p;
  });

  target = this.RULE('target', (): PTargetRec => {
    const name = this.CONSUME(T.EIdent);
    const t: PTargetRec = { name, to: undefined, call: undefined, inner: [], start: name.startOffset, end: NaN };
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.EMinus);
            t.to = this.CONSUME2(T.EIdent);
          },
        },
        {
          ALT: () => {
            t.call = this.CONSUME(T.ELParen);
            this.MANY(() => {
              const n: ENameRec = { from: this.CONSUME3(T.EIdent), to: undefined };
              t.inner.push(n);
              this.OPTION2(() => {
                this.CONSUME2(T.EMinus);
                n.to = this.CONSUME4(T.EIdent);
              });
              this.OPTION3(() => this.CONSUME(T.EComma));
            });
            this.CONSUME(T.ERParen);
          },
        },
      ]);
    });
    t.end = this.lastEnd();
    return t;
  });
}

// One instance of each parser (Chevrotain parsers are reusable: set `input`, call the rule).
export const optionParser = new OptionParser();
export const modelParser = new ModelParser();
export const exprParser = new ExprParser();
export const priorsParser = new PriorsParser();

/** What parseBody needs of a parser: its `body` rule returns R (a CST or syntax records). */
export interface BodyParser<R> {
  input: IToken[];
  readonly errors: IRecognitionException[];
  body(): R;
}

/**
 * Twins without error recovery: valid input (the common case) is parsed by
 * these first, which is faster; only a body with errors is parsed again by the
 * recovering parser above, which reports several problems in one run.
 */
const fastTwin = new Map<object, BodyParser<unknown>>([
  [optionParser, new OptionParser(false)],
  [modelParser, new ModelParser(false)],
  [exprParser, new ExprParser(false)],
  [priorsParser, new PriorsParser(false)],
]);

export interface ParseBodyResult<R> {
  cst: R;
  errors: IRecognitionException[];
}

/**
 * Parse a token vector without error recovery: the result, or null when the
 * input has a syntax error (then parse it with parseBody to get the diagnostics).
 */
export function tryParseBody<R>(parser: BodyParser<R>, tokens: IToken[]): R | null {
  const fast = fastTwin.get(parser) as BodyParser<R>;
  fast.input = tokens;
  const cst = fast.body();
  return fast.errors.length === 0 ? cst : null;
}

/** Parse a token vector with the given (recovering) parser's `body` rule. */
export function parseBody<R>(parser: BodyParser<R>, tokens: IToken[]): ParseBodyResult<R> {
  const cst = tryParseBody(parser, tokens);
  if (cst !== null) return { cst, errors: [] };
  parser.input = tokens;
  const res = parser.body();
  return { cst: res, errors: parser.errors.slice() };
}
