// An import kind is data: the columns it reads (header, synonyms, parser), and two functions, one
// that plans what the rows would change and one that applies that plan. The framework does the
// rest the same way for every kind: reading the file, finding the header row and its columns by
// name, validating each cell, spotting a shifted column, the preview, the all-or-nothing commit,
// the batch and its undo. See README.md in this folder for how to add a kind.
import type { DB } from '../db/connect.ts';
import type { MessageParams } from '../errors.ts';
import type { IdNumberVault } from '../pii.ts';
import type { Role } from '../role.ts';
import type { CellParser } from './values.ts';

export interface ColumnSpec<Key extends string = string> {
  /** The field the parsed value lands in. */
  key: Key;
  /** The header the template writes (and the preview names the column by). */
  header: string;
  /** Other headers people use for the same column (身份证号码, 公民身份号码, 证件号码 …). */
  synonyms?: readonly string[];
  required?: boolean;
  /** A value may appear once in the file: a duplicate is an error on every row that has it. */
  unique?: boolean;
  parse: CellParser<unknown>;
  /** The template's example row. */
  example: string;
  /** A line of the template's notes sheet about this column. */
  note?: string;
  /** The template's column width, in characters. */
  width?: number;
}

/** Who imports, into which organisation, when; `db` is the transaction during a commit or undo. */
export interface ImportContext {
  db: DB;
  vault: IdNumberVault;
  now: Date;
  user: { id: string; organisationId: string; role: Role };
  /** The organisation the import is for (a unit for `staff`, a province for `national-projects`). */
  scopeId: string;
  /** The record it is about, for a kind with a `subject` (the project of `assessments`); else null. */
  subjectId: string | null;
}

/** A problem a kind finds in a row: the column it is about (its key), a message key and its parameters. */
export interface RowProblem {
  column: string | null;
  key: string;
  params?: MessageParams;
}

/** What one row would do. `data` is what `apply` needs, as JSON, and must not hold fresh ids or times: the plan is made again at commit and compared. */
export interface PlannedRow<Data = unknown> {
  row: number;
  action: 'create' | 'update' | 'unchanged' | 'rejected';
  /** For the preview: whom or what the row is about (a name, a project number). */
  label?: string;
  /** For an update: each field that changes, old → new, as the user reads them. */
  changes?: { column: string; from: string | null; to: string | null }[];
  problems?: RowProblem[];
  data?: Data;
}

export interface Plan<Data = unknown> {
  rows: PlannedRow<Data>[];
  /** Things the preview should say beyond the rows (a department that will be created). */
  notices?: { key: string; params?: MessageParams }[];
}

/** A row that passed every column's parser, with its values by column key (absent when the cell was empty). */
export interface ValidRow<Values> {
  row: number;
  values: Values;
}

export interface ExchangeKind<Values = Record<string, unknown>, Data = unknown, Undo = unknown> {
  /** The name in the URL: /api/exchange/<name>/preview. */
  name: string;
  /** Its row in the access table (authz.ts ACCESS): the roles, and the scope check on `scope`. */
  access: `exchange.${string}`;
  /** What the scope must be: a unit (医疗机构) for staff, a province for the national project list. */
  scope: 'institution' | 'province';
  /**
   * The record every row is about, named by the preview's `project` field: the scope is then that
   * project's organiser, so the access row holds the caller to the project's organisation.
   */
  subject?: 'project';
  /** The template's file and sheet name, in Chinese (人员导入模板). */
  title: string;
  columns: readonly ColumnSpec<keyof Values & string>[];
  /** The lines of the template's notes sheet (填写说明), before the columns' own notes. */
  notes: readonly string[];
  /** Checks between the fields of one row (the gender against the ID number), after every cell parsed. */
  checkRow?(values: Values): RowProblem[];
  /** What the rows would change, reading the database only. Deterministic: made again at commit and compared. */
  plan(ctx: ImportContext, rows: readonly ValidRow<Values>[]): Promise<Plan<Data>>;
  /** Applies the rows to create and update, inside the commit's transaction; answers what undo needs. */
  apply(ctx: ImportContext, rows: readonly PlannedRow<Data>[]): Promise<Undo>;
  /** Takes a batch back inside a transaction, or throws an ExchangeRefusal saying what depends on it. Absent: no undo. */
  undo?(ctx: ImportContext, record: Undo): Promise<void>;
}

/** Declares a kind with its types checked (the registry in kinds/index.ts holds them untyped). */
export const defineKind = <Values, Data, Undo>(kind: ExchangeKind<Values, Data, Undo>): ExchangeKind<Values, Data, Undo> => kind;
