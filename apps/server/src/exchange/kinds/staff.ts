// The staff import (人员导入): a unit's people, created or updated by ID number. A new person is
// registered and approved at once (the unit vouches for its own staff), with a CME card number
// from the file or issued as approval issues them; a person of another unit is reported, never
// moved (a transfer is its own act); a department not yet known is created and announced.
import { chinaDate, chinaYear, idDocumentKind, newId, type StaffCategory } from '@opencme/core';
import type { Insertable, Updateable } from 'kysely';
import { nextVersion } from '../../db/connect.ts';
import type { CredentialTable, PersonTable, TitleHistoryTable } from '../../db/schema.ts';
import { addDepartment, departmentsOf } from '../../repositories/organisations.ts';
import { issueCmeNumbers, maskPhone } from '../../repositories/registry.ts';
import {
  deleteCredentials,
  deleteEmptyDepartments,
  deletePersons,
  deleteTitles,
  holdersOfCards,
  holdersOfCmeNumbers,
  insertCredentials,
  insertPersons,
  insertTitles,
  openTitle,
  personsByIdNumberIndexes,
  personsWithDependants,
  setTitleDates,
  updatePerson,
} from '../../repositories/staff-import.ts';
import { defineKind, type PlannedRow, type RowProblem } from '../kind.ts';
import { ExchangeRefusal } from '../messages.ts';
import { cardUid, cmeNumber, date, degree, gender, idNumber, mobilePhone, personName, professionalTitle, staffCategory, text } from '../values.ts';

type Degree = NonNullable<PersonTable['degree']>;

export interface StaffValues {
  name: string;
  gender?: 'male' | 'female';
  idNumber: string;
  phone?: string;
  department: string;
  title?: string;
  titleSince?: string;
  employedTitle?: string;
  employedSince?: string;
  degree?: Degree;
  category?: StaffCategory;
  cmeNumber?: string;
  cardUid?: string;
}

/** What a row does, as apply needs it: the person (when they exist) and the fields to write. */
interface StaffData {
  personId: string | null;
  values: StaffValues;
  /** Whether the row's department is to be created. */
  newDepartment: boolean;
  /** Which of the person's fields change (an update writes only those). */
  changed: (keyof StaffValues)[];
}

interface StaffUndo {
  /** The roster version the import wrote: a credential of another version came later. */
  version: number;
  persons: string[];
  departments: string[];
  credentials: string[];
  /** Updated people: their fields before, and the title rows the import added or ended. */
  updates: { personId: string; before: Updateable<PersonTable>; addedTitles: string[]; endedTitles: string[]; movedTitles: { id: string; from: string }[] }[];
}

const GENDER = { male: '男', female: '女' } as const;
const DEGREE: Record<Degree, string> = { secondary: '中专', college: '大专', bachelor: '本科', master: '硕士', doctorate: '博士' };
const CATEGORY: Record<StaffCategory, string> = { doctor: '医', nurse: '护', pharmacist: '药', technician: '技' };

/** Genders from the ID number when the file leaves them out. */
const genderOf = (id: string): 'male' | 'female' => (Number(id[16]) % 2 === 1 ? 'male' : 'female');

const departmentName = text(30, /^(?!\d+$)[^<>{}\\/|]{1,30}$/u, 'exchange.cell.department');

export const staff = defineKind<StaffValues, StaffData, StaffUndo>({
  name: 'staff',
  access: 'exchange.staff',
  scope: 'institution',
  title: '人员导入模板',
  notes: [
    '第一行是表头，列的顺序可以调整，列名须与模板一致（也接受常见的同义列名，如“身份证号码”“联系电话”“所在科室”）。',
    '标 * 的列必填；其余列留空表示不修改系统中已有的内容。',
    '身份证号、手机号、卡号请设置为“文本”格式，以免 Excel 把长数字改成科学计数法。',
    '日期可写成 2025-03-01、2025/3/1 或 20250301，也可使用 Excel 的日期格式。',
    '已在系统中的人员（按身份证号识别）会被更新；在其他单位登记的人员只会被列出，不会被调动。',
    '表中的新科室会在导入时自动建立。',
    '上传后会先显示预览（新增、更新、无变化、有错误的行数），确认无误后再导入；有错误的文件不能导入。',
  ],
  columns: [
    { key: 'name', header: '姓名', required: true, parse: personName, example: '张三', width: 10 },
    { key: 'gender', header: '性别', parse: gender, example: '男', note: '男或女；留空时按身份证号判断', width: 6 },
    {
      key: 'idNumber',
      header: '身份证号',
      synonyms: ['身份证号码', '公民身份号码', '证件号码', '身份证'],
      required: true,
      unique: true,
      parse: idNumber,
      example: '340104198001010019',
      note: '18位居民身份证号码，校验位须正确',
      width: 21,
    },
    { key: 'phone', header: '手机号', synonyms: ['手机', '联系电话', '手机号码', '电话'], parse: mobilePhone, example: '13900000000', width: 14 },
    { key: 'department', header: '科室', synonyms: ['所在科室', '部门', '科室名称'], required: true, parse: departmentName, example: '心内科', width: 12 },
    {
      key: 'title',
      header: '职称',
      synonyms: ['专业技术职称', '取得职称', '技术职称'],
      parse: professionalTitle,
      example: '主治医师',
      note: '取得的专业技术职称，如 主治医师、主管护师',
      width: 12,
    },
    { key: 'titleSince', header: '职称取得时间', synonyms: ['取得时间', '职称时间', '取得职称时间'], parse: date, example: '2020-09-01', width: 14 },
    {
      key: 'employedTitle',
      header: '聘任职称',
      synonyms: ['聘任', '现聘职称', '聘任专业技术职称'],
      parse: professionalTitle,
      example: '主治医师',
      note: '单位聘任的职称，学分审验按聘任职称计',
      width: 12,
    },
    { key: 'employedSince', header: '聘任时间', synonyms: ['聘任日期', '聘任起始时间', '聘任职称时间'], parse: date, example: '2021-01-01', width: 12 },
    { key: 'degree', header: '学历', synonyms: ['最高学历'], parse: degree, example: '本科', note: '中专、大专、本科、硕士或博士', width: 8 },
    { key: 'category', header: '人员类别', synonyms: ['类别', '专业类别'], parse: staffCategory, example: '医', note: '医、护、药或技', width: 10 },
    {
      key: 'cmeNumber',
      header: '继教卡号',
      synonyms: ['学分卡号', '继续教育卡号'],
      unique: true,
      parse: cmeNumber,
      example: '',
      note: '已有继教卡号的填写；留空则导入时自动发放',
      width: 14,
    },
    {
      key: 'cardUid',
      header: 'IC卡号',
      synonyms: ['卡号', 'IC卡', 'IC卡序列号'],
      unique: true,
      parse: cardUid,
      example: '',
      note: 'IC卡的卡片序列号（十六进制，如 26DEFAE7），没有可留空',
      width: 12,
    },
  ],
  checkRow(values) {
    const problems: RowProblem[] = [];
    if (values.gender && values.gender !== genderOf(values.idNumber)) problems.push({ column: 'gender', key: 'exchange.cell.gender-mismatch' });
    return problems;
  },

  async plan(ctx, rows) {
    const indexOf = new Map(rows.map((r) => [r.row, ctx.vault.index(r.values.idNumber)]));
    const existing = new Map((await personsByIdNumberIndexes(ctx.db, [...indexOf.values()])).map((p) => [p.id_number_index, p]));
    const cmeHolders = await holdersOfCmeNumbers(
      ctx.db,
      rows.flatMap((r) => (r.values.cmeNumber ? [r.values.cmeNumber] : [])),
    );
    const cardHolders = await holdersOfCards(
      ctx.db,
      rows.flatMap((r) => (r.values.cardUid ? [r.values.cardUid] : [])),
    );
    const departments = new Map((await departmentsOf(ctx.db, ctx.scopeId)).map((d) => [d.name, d.id]));
    const departmentNames = new Map([...departments].map(([name, id]) => [id, name]));
    const newDepartments = new Set<string>();

    const planned = rows.map(({ row, values }): PlannedRow<StaffData> => {
      const person = existing.get(indexOf.get(row)!);
      const label = values.name;
      const reject = (problem: RowProblem): PlannedRow<StaffData> => ({ row, action: 'rejected', label, problems: [problem] });
      if (person && person.institution_id !== ctx.scopeId)
        return reject({ column: 'idNumber', key: 'exchange.staff.in-other-unit', params: { unit: person.unit } });
      if (person && person.registration_status !== 'approved') return reject({ column: 'idNumber', key: 'exchange.staff.not-approved' });
      const cmeHolder = values.cmeNumber ? cmeHolders.get(values.cmeNumber) : undefined;
      if (cmeHolder && cmeHolder !== person?.id) return reject({ column: 'cmeNumber', key: 'exchange.staff.cme-number-taken' });
      if (person?.cme_number && values.cmeNumber && values.cmeNumber !== person.cme_number) {
        return reject({ column: 'cmeNumber', key: 'exchange.staff.cme-number-differs', params: { current: person.cme_number } });
      }
      const cardHolder = values.cardUid ? cardHolders.get(values.cardUid) : undefined;
      if (cardHolder && cardHolder !== person?.id) return reject({ column: 'cardUid', key: 'exchange.staff.card-taken' });
      const newDepartment = !departments.has(values.department);
      if (newDepartment) newDepartments.add(values.department);
      if (!person) return { row, action: 'create', label, data: { personId: null, values, newDepartment, changed: [] } };

      // An update writes only what the file gives and differs; an empty cell leaves the field alone.
      const changes: NonNullable<PlannedRow['changes']> = [];
      const changed: (keyof StaffValues)[] = [];
      const compare = (key: keyof StaffValues, column: string, from: string | null, to: string | undefined, show: (v: string) => string = (v) => v) => {
        if (to === undefined || to === from) return;
        changed.push(key);
        changes.push({ column, from: from === null ? null : show(from), to: show(to) });
      };
      compare('name', '姓名', person.name, values.name);
      compare('gender', '性别', person.gender, values.gender, (v) => GENDER[v as 'male']);
      compare('phone', '手机号', person.phone, values.phone, maskPhone);
      compare('department', '科室', person.department_id ? (departmentNames.get(person.department_id) ?? null) : null, values.department);
      compare('title', '职称', person.title, values.title);
      compare('titleSince', '职称取得时间', person.title_since, values.titleSince);
      compare('employedTitle', '聘任职称', person.employed_title, values.employedTitle);
      compare('employedSince', '聘任时间', person.employed_title_since, values.employedSince);
      compare('degree', '学历', person.degree, values.degree, (v) => DEGREE[v as Degree]);
      compare('category', '人员类别', person.category, values.category, (v) => CATEGORY[v as StaffCategory]);
      compare('cmeNumber', '继教卡号', person.cme_number, values.cmeNumber);
      if (values.cardUid && cardHolder !== person.id) compare('cardUid', 'IC卡号', null, values.cardUid);
      if (changes.length === 0) return { row, action: 'unchanged', label };
      return { row, action: 'update', label, changes, data: { personId: person.id, values, newDepartment, changed } };
    });
    return { rows: planned, notices: [...newDepartments].sort().map((name) => ({ key: 'exchange.staff.new-department', params: { name } })) };
  },

  async apply(ctx, rows) {
    const now = ctx.now.toISOString();
    const today = chinaDate(ctx.now);
    const undo: StaffUndo = { version: 0, persons: [], departments: [], credentials: [], updates: [] };
    const departments = new Map((await departmentsOf(ctx.db, ctx.scopeId)).map((d) => [d.name, d.id]));
    for (const row of rows) {
      const name = row.data!.values.department;
      if (departments.has(name)) continue;
      const id = newId();
      await addDepartment(ctx.db, { id, unitId: ctx.scopeId, name, now: ctx.now });
      departments.set(name, id);
      undo.departments.push(id);
    }
    // One roster version for the whole batch: kiosks pull it as one change.
    const version = await nextVersion(ctx.db);
    undo.version = version;
    const creates = rows.filter((r) => r.action === 'create').map((r) => r.data!.values);
    const issued = await issueCmeNumbers(ctx.db, ctx.scopeId, chinaYear(ctx.now), creates.filter((v) => !v.cmeNumber).length);
    const persons: Insertable<PersonTable>[] = [];
    const credentials: Insertable<CredentialTable>[] = [];
    const titles: Insertable<TitleHistoryTable>[] = [];
    const credential = (personId: string, kind: CredentialTable['kind'], value: string) => {
      const id = newId();
      credentials.push({
        id,
        person_id: personId,
        kind,
        value,
        status: 'active',
        version,
        created_at: now,
        issue_category: kind === 'ic-card' ? 'I' : null,
        lost_at: null,
      });
      return id;
    };
    const title = (personId: string, kind: 'held' | 'employed', value: string, from: string) => {
      const id = newId();
      titles.push({ id, person_id: personId, kind, title: value, from_date: from, to_date: null, created_at: now });
      return id;
    };
    for (const v of creates) {
      const id = newId();
      const cme = v.cmeNumber ?? issued.shift()!;
      persons.push({
        id,
        ...ctx.vault.seal(v.idNumber),
        name: v.name,
        gender: v.gender ?? genderOf(v.idNumber),
        phone: v.phone ?? null,
        institution_id: ctx.scopeId,
        department_id: departments.get(v.department)!,
        title: v.title ?? null,
        category: v.category ?? null,
        cme_number: cme,
        photo_hash: null,
        version,
        created_at: now,
        updated_at: now,
        specialty: null,
        degree: v.degree ?? null,
        id_document: idDocumentKind(v.idNumber),
        registration_status: 'approved',
        reviewed_at: now,
        reviewed_by: ctx.user.id,
        employed_title: v.employedTitle ?? null,
        employed_title_since: v.employedTitle ? (v.employedSince ?? today) : null,
      });
      credential(id, 'id-card', ctx.vault.index(v.idNumber));
      credential(id, 'card-number', cme);
      if (v.cardUid) credential(id, 'ic-card', v.cardUid);
      if (v.title) title(id, 'held', v.title, v.titleSince ?? today);
      if (v.employedTitle) title(id, 'employed', v.employedTitle, v.employedSince ?? today);
      undo.persons.push(id);
    }
    await insertPersons(ctx.db, persons);

    for (const row of rows.filter((r) => r.action === 'update')) {
      const { personId, values: v, changed } = row.data!;
      const id = personId!;
      const [current] = await personsByIdNumberIndexes(ctx.db, [ctx.vault.index(v.idNumber)]);
      const before: Updateable<PersonTable> = {
        name: current!.name,
        gender: current!.gender,
        phone: current!.phone,
        department_id: current!.department_id,
        title: current!.title,
        degree: current!.degree,
        category: current!.category,
        cme_number: current!.cme_number,
        employed_title: current!.employed_title,
        employed_title_since: current!.employed_title_since,
      };
      const record: StaffUndo['updates'][number] = { personId: id, before, addedTitles: [], endedTitles: [], movedTitles: [] };
      const fields: Updateable<PersonTable> = { version, updated_at: now };
      const has = (key: keyof StaffValues) => changed.includes(key);
      if (has('name')) fields.name = v.name;
      if (has('gender')) fields.gender = v.gender!;
      if (has('phone')) fields.phone = v.phone!;
      if (has('department')) fields.department_id = departments.get(v.department)!;
      if (has('degree')) fields.degree = v.degree!;
      if (has('category')) fields.category = v.category!;
      if (has('cmeNumber')) {
        fields.cme_number = v.cmeNumber!;
        undo.credentials.push(credential(id, 'card-number', v.cmeNumber!));
      }
      if (has('cardUid')) undo.credentials.push(credential(id, 'ic-card', v.cardUid!));
      for (const kind of ['held', 'employed'] as const) {
        const [valueKey, sinceKey] = kind === 'held' ? (['title', 'titleSince'] as const) : (['employedTitle', 'employedSince'] as const);
        if (!has(valueKey) && !has(sinceKey)) continue;
        const open = await openTitle(ctx.db, id, kind);
        const value = v[valueKey] ?? (kind === 'held' ? current!.title : current!.employed_title);
        const since = v[sinceKey] ?? today;
        if (has(valueKey) || !open) {
          // A new title from its date; the one before it ends the day before (as the registry does).
          if (open) {
            const end = new Date(Date.parse(`${since}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
            await setTitleDates(ctx.db, open.id, { to_date: end < open.from_date ? open.from_date : end });
            record.endedTitles.push(open.id);
          }
          if (value) record.addedTitles.push(title(id, kind, value, since));
        } else {
          await setTitleDates(ctx.db, open.id, { from_date: since });
          record.movedTitles.push({ id: open.id, from: open.from_date });
        }
        if (kind === 'held') fields.title = value ?? null;
        else {
          fields.employed_title = value ?? null;
          fields.employed_title_since = value ? since : null;
        }
      }
      await updatePerson(ctx.db, id, fields);
      undo.updates.push(record);
    }
    await insertCredentials(ctx.db, credentials);
    await insertTitles(ctx.db, titles);
    return undo;
  },

  async undo(ctx, record) {
    const blocked = await personsWithDependants(ctx.db, record.persons, record.version);
    if (blocked.length > 0) throw new ExchangeRefusal(409, 'exchange.undo-blocked', { count: blocked.length, name: blocked[0]!.name });
    await deletePersons(ctx.db, record.persons);
    const version = await nextVersion(ctx.db);
    for (const update of record.updates) {
      await deleteTitles(ctx.db, update.addedTitles);
      for (const id of update.endedTitles) await setTitleDates(ctx.db, id, { to_date: null });
      for (const moved of update.movedTitles) await setTitleDates(ctx.db, moved.id, { from_date: moved.from });
      await updatePerson(ctx.db, update.personId, { ...update.before, version, updated_at: ctx.now.toISOString() });
    }
    // A card or card number this import gave to someone already there goes back with the batch.
    await deleteCredentials(ctx.db, record.credentials);
    await deleteEmptyDepartments(ctx.db, record.departments);
  },
});
