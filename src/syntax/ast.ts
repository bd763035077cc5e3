// The typed AST of an Mplus-style input file.
//
// This file is the contract between grammar/ (Chevrotain lexer + parser, CST)
// and every later stage. Semantics (what a list range means, which option is
// valid where, Mplus defaults) do NOT live here: the AST records what the user
// wrote, with source spans, in a shape that is convenient to interpret.
//
// Conventions
// - Every node has a `span` (1-based line/col, 0-based offsets into the text).
// - Keywords (command names, option names, option words) are stored in their
//   canonical upper-case full form (`USEV` -> `USEVARIABLES`) next to the
//   user's spelling (`written`), so messages can quote what the user typed.
// - Identifiers keep the user's spelling in `name`; compare with `upper`.

export interface Pos {
  /** 0-based character offset into the input text */
  offset: number;
  /** 1-based line */
  line: number;
  /** 1-based column */
  col: number;
}

export interface Span {
  start: Pos;
  end: Pos; // exclusive end
}

export interface InputFile {
  kind: 'InputFile';
  /** path as given by the caller (used in messages) */
  path: string;
  text: string;
  commands: Command[];
  span: Span;
}

export type Command =
  | TitleCommand
  | OptionsCommand
  | DefineCommand
  | ModelCommand
  | ConstraintCommand;

/** TITLE: free text up to the next command header (comments removed). */
export interface TitleCommand {
  kind: 'Title';
  text: string;
  span: Span;
}

/** Commands made of `NAME [=|IS|ARE] values;` options. */
export type OptionsCommandName =
  | 'DATA'
  | 'DATA WIDETOLONG'
  | 'DATA LONGTOWIDE'
  | 'DATA IMPUTATION'
  | 'DATA TWOPART'
  | 'DATA MISSING'
  | 'DATA SURVIVAL'
  | 'DATA COHORT'
  | 'VARIABLE'
  | 'ANALYSIS'
  | 'OUTPUT'
  | 'SAVEDATA'
  | 'PLOT'
  | 'MONTECARLO';

export interface OptionsCommand {
  kind: 'Options';
  name: OptionsCommandName;
  /** header as typed, e.g. `ANAL` */
  written: string;
  headerSpan: Span;
  options: OptionNode[];
  span: Span;
}

export interface OptionNode {
  kind: 'Option';
  /** canonical upper-case option name, e.g. `USEVARIABLES`; unknown options keep the upper-cased spelling */
  name: string;
  written: string;
  nameSpan: Span;
  /** whether the name was recognised for this command (unknown ones are reported by `check`) */
  known: boolean;
  values: OptionValue[];
  /** exact source text of the value part (after `=`/IS/ARE, before `;`), comments removed */
  raw: string;
  /** span of the value part */
  valueSpan: Span;
  span: Span;
}

/** Tokens of an option value, interpreted later by the stage that owns the option. */
export type OptionValue =
  | { kind: 'word'; text: string; upper: string; span: Span } // identifiers and keywords, incl. `c#1`, `u$1`, `rep*.dat`-like file names
  | { kind: 'number'; value: number; text: string; span: Span }
  | { kind: 'string'; text: string; span: Span } // "quoted file name"
  | { kind: 'symbol'; text: string; span: Span } // `-` `*` `.` `,` `/` `:` ...
  | { kind: 'group'; items: OptionValue[]; span: Span }; // ( ... )

// ---------------------------------------------------------------------------
// Expressions (DEFINE, USEOBSERVATIONS, MODEL CONSTRAINT, MODEL TEST)

export type Expr =
  | { kind: 'Num'; value: number; span: Span }
  | { kind: 'Ref'; name: string; upper: string; span: Span } // variable, parameter label or NEW name; may contain `#` inside DO loops
  | { kind: 'Missing'; span: Span } // _MISSING
  | { kind: 'Unary'; op: '-' | '+' | 'NOT'; arg: Expr; span: Span }
  | {
      kind: 'Binary';
      op: '+' | '-' | '*' | '/' | '**' | 'EQ' | 'NE' | 'GT' | 'GE' | 'LT' | 'LE' | 'AND' | 'OR';
      left: Expr;
      right: Expr;
      span: Span;
    }
  | { kind: 'Call'; fn: string; args: Expr[]; span: Span } // LOG(x), MEAN(y1-y5): ranges appear as RangeArg
  | { kind: 'Range'; from: string; to: string; span: Span }; // only as a Call argument: `y1-y5`

// ---------------------------------------------------------------------------
// DEFINE

export type DefineStatement =
  | { kind: 'Assign'; target: string; targetSpan: Span; expr: Expr; span: Span }
  | { kind: 'If'; cond: Expr; target: string; targetSpan: Span; expr: Expr; span: Span }
  | { kind: 'Cut'; vars: VarList; cuts: number[]; span: Span }
  | { kind: 'Center'; vars: VarList; mode: 'GRANDMEAN' | 'GROUPMEAN'; span: Span }
  | { kind: 'Standardize'; vars: VarList; span: Span }
  | { kind: 'Do'; index: string; from: number; to: number; body: DefineStatement[]; span: Span };

export interface DefineCommand {
  kind: 'Define';
  headerSpan: Span;
  statements: DefineStatement[];
  span: Span;
}

// ---------------------------------------------------------------------------
// MODEL, MODEL POPULATION, MODEL c:, MODEL COVERAGE, MODEL MISSING

/**
 * A variable reference as written. Ranges are NOT expanded here (their meaning
 * depends on context: NAMES order vs analysis order vs numeric suffix).
 * `c#1` -> { name: 'c', classIndex: 1 }; `u1$2` -> { name: 'u1', threshold: 2 };
 * `u#1` (nominal category) -> { name: 'u', classIndex: 1 } (meaning resolved later).
 */
export interface VarName {
  name: string;
  upper: string;
  classIndex?: number; // `#k`
  threshold?: number; // `$k`
  span: Span;
}

export type VarRef =
  | ({ kind: 'Var' } & VarName)
  | { kind: 'Range'; from: VarName; to: VarName; span: Span }
  | { kind: 'All'; span: Span };

export type VarList = VarRef[];

/** `@v`, `*v`, `*` */
export type Modifier =
  | { kind: 'Fixed'; value: number; span: Span }
  | { kind: 'Start'; value: number | null; span: Span }; // `*` alone -> null

/** `(label)`, `(1)`, `(p1-p5)`, `(*1)` */
export interface LabelGroup {
  kind: 'Labels';
  /** labels as written; ranges like `p1-p5` kept as { from, to } */
  labels: Array<{ kind: 'Label'; text: string; upper: string; span: Span } | { kind: 'LabelRange'; from: string; to: string; span: Span }>;
  /** `(*1)`: a block label (random-start / equality block); the label text excludes the star */
  block: boolean;
  span: Span;
}

export interface ParamItem {
  kind: 'Item';
  target: VarRef;
  modifier?: Modifier;
  span: Span;
}

/** Right-hand sides keep items and label groups in source order: lowering applies the "same physical line" label scope. */
export type RhsPart = ParamItem | LabelGroup;

export type ModelStatement =
  | { kind: 'On' | 'By' | 'With' | 'Pon' | 'Pwith'; lhs: VarList; rhs: RhsPart[]; span: Span }
  | { kind: 'Variance'; parts: RhsPart[]; span: Span } // `y1-y4*1 f@1;`
  | { kind: 'Mean'; parts: RhsPart[]; span: Span } // `[y1 c#1 u1$1*2];` incl. labels after `]`
  | { kind: 'Scale'; parts: RhsPart[]; span: Span } // `{ y1@1 }`
  | {
      // `s | y ON x;`  `s | f BY y1-y4;`  `i s | y1@0 y2@1 y3@2;`  `int | f1 XWITH f2;`  `s | y1-y4 AT t1-t4`
      kind: 'Random';
      names: VarName[];
      body:
        | { kind: 'On'; lhs: VarList; rhs: VarList; span: Span }
        | { kind: 'By'; lhs: VarList; rhs: VarList; span: Span }
        | { kind: 'Xwith'; left: VarName; right: VarName; span: Span }
        | {
            kind: 'Growth';
            items: ParamItem[];
            /**
             * Only when the statement has labels (`i s | y1@0 y2@1 y3*2 (t3);`): the items and label
             * groups in source order, as in RhsPart lists (same-line label scope). `items` lists the items alone.
             */
            parts?: RhsPart[];
            span: Span;
          }
        | { kind: 'At'; items: VarList; times: VarList; span: Span };
      span: Span;
    }
  | { kind: 'Section'; section: SectionMarker; span: Span };

/** `%WITHIN%`, `%BETWEEN%`, `%OVERALL%`, `%c#1%`, `%c#1.cb#2%` */
export type SectionMarker =
  | { kind: 'Within' }
  | {
      kind: 'Between';
      /** TYPE = THREELEVEL: `%BETWEEN level2%` / `%BETWEEN level3%` (upper case); absent for `%BETWEEN%` */
      level?: 'LEVEL2' | 'LEVEL3';
    }
  | { kind: 'Overall' }
  | { kind: 'Class'; classes: Array<{ variable: string; upper: string; index: number }> };

export interface ModelCommand {
  kind: 'Model';
  /** `MODEL`, `MODEL POPULATION`, `MODEL COVERAGE`, `MODEL MISSING`, `MODEL INDIRECT` */
  variant: 'MODEL' | 'MODEL POPULATION' | 'MODEL COVERAGE' | 'MODEL MISSING' | 'MODEL INDIRECT';
  /** `MODEL c1:` -> ['c1']; `MODEL c1.c2:` -> ['c1','c2']; `MODEL POPULATION-c2:` -> ['c2']; empty for plain MODEL */
  classLabel: string[];
  headerSpan: Span;
  /** statements and section markers in source order */
  statements: ModelStatement[];
  /** MODEL INDIRECT keeps raw statements: `y IND x;` `y VIA m x;` */
  indirect?: Array<{ kind: 'Ind' | 'Via'; lhs: VarName; rhs: VarName[]; span: Span }>;
  span: Span;
}

// ---------------------------------------------------------------------------
// MODEL CONSTRAINT and MODEL TEST

export type ConstraintStatement =
  | { kind: 'New'; params: Array<{ name: string; upper: string; start: number | null; span: Span }>; span: Span }
  | { kind: 'Relation'; op: '=' | '<' | '>' | '<=' | '>='; left: Expr; right: Expr; span: Span }
  | { kind: 'Do'; index: string; from: number; to: number; body: ConstraintStatement[]; span: Span }
  | { kind: 'Plot'; raw: string; span: Span } // PLOT(...) / LOOP(...) kept raw (P2)
  | { kind: 'Loop'; raw: string; span: Span };

export interface ConstraintCommand {
  kind: 'Constraint';
  variant: 'MODEL CONSTRAINT' | 'MODEL TEST' | 'MODEL PRIORS';
  headerSpan: Span;
  /** empty for MODEL PRIORS (see `priors`) */
  statements: ConstraintStatement[];
  /** MODEL PRIORS only: the priors as written (read, not used: plusmix estimates by maximum likelihood) */
  priors?: PriorStatement[];
  span: Span;
}

/** A parameter label in MODEL PRIORS: `a` or a range `p1-p5`. */
export type PriorLabel = { kind: 'Label'; text: string; upper: string; span: Span } | { kind: 'LabelRange'; from: string; to: string; span: Span };

/** `a b1-b5 ~ N(0, 1);`, `DIFF(l1-l5) ~ N(0, 0.01);` (MODEL PRIORS) */
export interface PriorStatement {
  kind: 'Prior';
  /** labels, or functions of labels such as `DIFF(l1-l5)` (`fn` upper-case) */
  targets: Array<PriorLabel | { kind: 'Function'; fn: string; labels: PriorLabel[]; span: Span }>;
  /** distribution, upper-case as written: `N`, `U`, `IG`, `IW`, `G`, `D` ... */
  dist: string;
  distSpan: Span;
  /** the distribution's parameters */
  params: number[];
  span: Span;
}
