// The demo: a province, a city, a hospital with departments, 200 staff with valid ID numbers and
// portraits, a CME project with a session today, and a kiosk assigned to it.
import { chinaDate, chinaYear, idNumberCheckChar, newId, type StaffCategory, TITLES_BY_CATEGORY, validateIdNumber } from '@opencme/core';
import sharp from 'sharp';
import type { DB } from './db/connect.ts';
import { nextVersion } from './db/connect.ts';
import { PHOTO, storePhoto } from './photos.ts';
import type { IdNumberVault } from './pii.ts';
import { assignSession, createDevice, issuePairingCode } from './repositories/devices.ts';
import { issueCmeNumber } from './repositories/registry.ts';
import { appendLedgerEntries, type NewLedgerEntry } from './repositories/ledger.ts';
import { createUser } from './repositories/users.ts';
import { DEMO_PASSWORD } from './secrets.ts';

export const DEMO_ADMIN = { login: 'admin', password: DEMO_PASSWORD } as const;
/** A staff member of the first department (心血管内科) and that department's reviewer (科室审核). */
export const DEMO_STAFF = { login: 'staff', password: DEMO_ADMIN.password } as const;
export const DEMO_REVIEWER = { login: 'reviewer', password: DEMO_ADMIN.password } as const;
/**
 * A second account of the hospital's CME office (医教科主任): it reviews the unit's own projects and
 * their credits, which the account that declared them may not (separation of duties).
 */
export const DEMO_DIRECTOR = { login: 'director', password: DEMO_ADMIN.password } as const;
/** The city office (市州卫健委) and the province office (省继教办), which keeps the rule sets. */
export const DEMO_CITY = { login: 'city', password: DEMO_ADMIN.password } as const;
export const DEMO_PROVINCE = { login: 'province', password: DEMO_ADMIN.password } as const;
/** Every demo account, as `npm start` prints them. */
export const DEMO_ACCOUNTS = [
  { login: DEMO_STAFF.login, displayName: '演示学员', role: 'staff' },
  { login: DEMO_DIRECTOR.login, displayName: '医教科主任', role: 'unit-admin' },
  { login: DEMO_REVIEWER.login, displayName: '心血管内科审核员', role: 'department-reviewer' },
  { login: DEMO_CITY.login, displayName: '合肥市卫健委', role: 'city-admin' },
  { login: DEMO_PROVINCE.login, displayName: '安徽省继教办', role: 'province-admin' },
  { login: 'admin-b', displayName: '芜湖二院医教科', role: 'unit-admin' },
  { login: 'staff-b', displayName: '沈若溪', role: 'staff' },
] as const;
export const DEMO_KIOSK_NAME = '演示签到机（学术报告厅）';
/**
 * A second hospital, in another city, whose staff enrol (报名) in the first hospital's course: its
 * CME office, and one nurse with a portrait and an account of her own.
 */
export const DEMO_HOSPITAL_B = '芜湖市第二人民医院（演示）';
export const DEMO_ADMIN_B = { login: 'admin-b', password: DEMO_ADMIN.password } as const;
export const DEMO_STAFF_B = { login: 'staff-b', password: DEMO_ADMIN.password, name: '沈若溪', idNumber: '340202199203150328' } as const;
const HOSPITAL_B_CODE = '12340200485999902U';
const HOSPITAL_CODE = '12340100485999901K';

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽';
const DEPARTMENTS = [
  '心血管内科',
  '呼吸内科',
  '普通外科',
  '骨科',
  '儿科',
  '妇产科',
  '急诊科',
  '重症医学科',
  '麻醉科',
  '护理部',
  '药剂科',
  '检验科',
  '医学影像科',
];
const REGIONS = ['340102', '340103', '340104', '340111', '340121', '340181'];
// The demo staff hold the first four titles of each category: the demo database predates the
// senior titles of nurses, pharmacists and technicians, and stays the same for every install.
const demoTitles = (category: StaffCategory) => TITLES_BY_CATEGORY[category].slice(0, 4);

/**
 * The title the hospital employs someone at (聘任): mostly the one she holds, but one in ten holds
 * a title she is not employed at (the next one down), as the Shanghai report found, so that 达标率
 * (counted by employment) and the titles held part ways in the demo.
 */
const employedTitle = (p: { category: StaffCategory; title: string }, i: number): string => {
  const titles = TITLES_BY_CATEGORY[p.category];
  const rank = titles.indexOf(p.title);
  return i % 10 === 3 && rank > 0 ? titles[rank - 1]! : p.title;
};

/** A small seeded generator, so every demo database holds the same people. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A drawn portrait: a head and shoulders on a light background, in the registry photo's size. */
async function portrait(hue: number, coat: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${PHOTO.width}" height="${PHOTO.height}">
  <rect width="100%" height="100%" fill="hsl(${hue},45%,88%)"/>
  <ellipse cx="179" cy="175" rx="78" ry="96" fill="hsl(28,45%,${68 + (hue % 10)}%)"/>
  <path d="M101 150 Q179 40 257 150 Q240 95 179 90 Q118 95 101 150Z" fill="hsl(${(hue * 7) % 40},30%,${12 + (hue % 15)}%)"/>
  <path d="M20 441 Q30 300 179 285 Q328 300 338 441Z" fill="${coat}"/>
  <path d="M150 285 L179 340 L208 285Z" fill="hsl(${hue},25%,70%)"/>
</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 82 }).toBuffer();
}

interface DemoPerson {
  name: string;
  gender: 'male' | 'female';
  idNumber: string;
  category: StaffCategory;
  department: string;
  title: string;
  hue: number;
  hasIcCard: boolean;
  uid: string;
}

const COATS = { doctor: '#f4f6f8', nurse: '#f7d9e3', pharmacist: '#dfeef7', technician: '#e2efe1' } as const;

export interface DemoInfo {
  adminLogin: string;
  adminPassword: string;
  /** Set while the demo kiosk waits to be paired. */
  kioskPairingCode: string | null;
}

async function organisation(
  db: DB,
  kind: 'province' | 'city' | 'institution' | 'department',
  name: string,
  parentId: string | null,
  now: Date,
  codes: { credit?: string; region?: string } = {},
) {
  const id = newId();
  await db
    .insertInto('organisations')
    .values({ id, kind, name, parent_id: parentId, credit_code: codes.credit ?? null, region_code: codes.region ?? null, created_at: now.toISOString() })
    .execute();
  return id;
}

/** Seeds the demo on an empty database; on a database that has it, only re-arms the kiosk's pairing code. */
export async function seedDemo(db: DB, vault: IdNumberVault, now: Date): Promise<DemoInfo> {
  const existing = await db.selectFrom('organisations').select('id').where('credit_code', '=', HOSPITAL_CODE).executeTakeFirst();
  if (existing) {
    const kiosk = await db.selectFrom('devices').selectAll().where('name', '=', DEMO_KIOSK_NAME).executeTakeFirst();
    const code = kiosk && !kiosk.paired_at && !kiosk.revoked_at ? await issuePairingCode(db, kiosk.id, now) : null;
    return { adminLogin: DEMO_ADMIN.login, adminPassword: DEMO_ADMIN.password, kioskPairingCode: code };
  }

  const at = now.toISOString();
  const province = await organisation(db, 'province', '安徽省', null, now, { region: '340000' });
  const city = await organisation(db, 'city', '合肥市', province, now, { region: '340100' });
  await organisation(db, 'city', '芜湖市', province, now, { region: '340200' });
  const hospital = await organisation(db, 'institution', '合肥市第一人民医院（演示）', city, now, { credit: HOSPITAL_CODE });
  const departments: string[] = [];
  for (const name of DEPARTMENTS) departments.push(await organisation(db, 'department', name, hospital, now));

  const random = prng(20261122);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const idNumbers = new Set<string>();
  const people: DemoPerson[] = [];
  for (let i = 0; i < 200; i++) {
    const category: StaffCategory = i % 10 < 5 ? 'doctor' : i % 10 < 8 ? 'nurse' : i % 10 === 8 ? 'pharmacist' : 'technician';
    const gender: 'male' | 'female' = random() < (category === 'nurse' ? 0.1 : 0.5) ? 'male' : 'female';
    let idNumber: string;
    do {
      const birth = new Date(Date.UTC(1965 + Math.floor(random() * 35), Math.floor(random() * 12), 1 + Math.floor(random() * 28)));
      const order = Math.floor(random() * 500) * 2 + (gender === 'male' ? 1 : 0);
      const first17 = `${pick(REGIONS)}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String(order).padStart(3, '0')}`;
      idNumber = first17 + idNumberCheckChar(first17);
    } while (idNumbers.has(idNumber));
    idNumbers.add(idNumber);
    const check = validateIdNumber(idNumber);
    if (!check.valid) throw new Error(`seed produced an invalid ID number ${idNumber}`);
    const name = pick([...SURNAMES]) + pick([...GIVEN]) + (random() < 0.6 ? pick([...GIVEN]) : '');
    const department =
      category === 'nurse'
        ? departments[9]!
        : category === 'pharmacist'
          ? departments[10]!
          : category === 'technician'
            ? pick([departments[11]!, departments[12]!])
            : pick(departments.slice(0, 9));
    people.push({
      name,
      gender,
      idNumber,
      category,
      department,
      title: pick(demoTitles(category)),
      hue: Math.floor(random() * 360),
      hasIcCard: random() < 0.5,
      uid: Math.floor(random() * 2 ** 32)
        .toString(16)
        .toUpperCase()
        .padStart(8, '0'),
    });
  }
  const photos = await Promise.all(people.map((p) => portrait(p.hue, COATS[p.category])));

  await db.transaction().execute(async (trx) => {
    for (const [i, p] of people.entries()) {
      const id = newId();
      const version = await nextVersion(trx);
      const cmeNumber = await issueCmeNumber(trx, hospital, chinaYear(now));
      await trx
        .insertInto('persons')
        .values({
          id,
          name: p.name,
          gender: p.gender,
          ...vault.seal(p.idNumber),
          phone: `139${String(55_000_000 + i * 7919).padStart(8, '0')}`,
          institution_id: hospital,
          department_id: p.department,
          title: p.title,
          employed_title: employedTitle(p, i),
          category: p.category,
          cme_number: cmeNumber,
          photo_hash: await storePhoto(trx, photos[i]!, now),
          version,
          created_at: at,
          updated_at: at,
        })
        .execute();
      const credentials = [
        { kind: 'id-card' as const, value: p.idNumber },
        { kind: 'card-number' as const, value: cmeNumber },
        ...(p.hasIcCard ? [{ kind: 'ic-card' as const, value: p.uid }] : []),
      ];
      await trx
        .insertInto('title_history')
        .values([
          { id: newId(), person_id: id, kind: 'held', title: p.title, from_date: `${2000 + (i % 20)}-09-01`, to_date: null, created_at: at },
          { id: newId(), person_id: id, kind: 'employed', title: employedTitle(p, i), from_date: `${2001 + (i % 20)}-01-01`, to_date: null, created_at: at },
        ])
        .execute();
      await trx
        .insertInto('credentials')
        .values(
          credentials.map((c) => ({
            id: newId(),
            person_id: id,
            kind: c.kind,
            value: c.kind === 'id-card' ? vault.index(c.value) : c.value,
            status: 'active' as const,
            version,
            created_at: at,
          })),
        )
        .execute();
    }
  });

  // Three registrations waiting in the reviewer's department, so the review queue has work.
  for (const [i, name] of ['周晓雯', '吴建国', '郑欣怡'].entries()) {
    const first17 = `340104${1990 + i}0${i + 3}1${i}${i % 2 === 0 ? '012' : '011'}`;
    const idNumber = first17 + idNumberCheckChar(first17);
    const check = validateIdNumber(idNumber);
    if (!check.valid) throw new Error(`seed produced an invalid ID number ${idNumber}`);
    await db
      .insertInto('persons')
      .values({
        id: newId(),
        name,
        gender: check.gender,
        ...vault.seal(idNumber),
        phone: `1385510${String(i).padStart(4, '0')}`,
        institution_id: hospital,
        department_id: departments[0]!,
        title: '住院医师',
        category: 'doctor',
        cme_number: null,
        photo_hash: await storePhoto(db, await portrait(40 + i * 90, COATS.doctor), now),
        version: await nextVersion(db),
        created_at: at,
        updated_at: at,
        registration_status: 'pending',
        submitted_at: at,
      })
      .execute();
  }

  const today = chinaDate(now);
  const projectId = newId();
  await db
    .insertInto('projects')
    .values({
      id: projectId,
      number: '2026-03-01-001(省)',
      name: '急危重症诊疗新进展学习班',
      level: 'provincial',
      credit_class: 'I',
      credits: 2,
      organiser_id: hospital,
      venue: '门诊楼六楼学术报告厅',
      starts_on: today,
      ends_on: today,
      mode: 'onsite',
      created_at: at,
    })
    .execute();
  // One course (课程) taught in one sitting, so the demo can go on to attendance and credits.
  const courseId = newId();
  await db
    .insertInto('courses')
    .values({
      id: courseId,
      project_id: projectId,
      name: '全天授课',
      starts_at: `${today}T08:00:00+08:00`,
      ends_at: `${today}T18:00:00+08:00`,
      credits: 2,
      created_at: at,
    })
    .execute();
  const sessionId = newId();
  await db
    .insertInto('sessions')
    .values({
      id: sessionId,
      project_id: projectId,
      course_id: courseId,
      title: '全天授课',
      venue: '门诊楼六楼学术报告厅',
      starts_at: `${today}T08:00:00+08:00`,
      ends_at: `${today}T18:00:00+08:00`,
      created_at: at,
    })
    .execute();

  await createUser(db, {
    login: DEMO_ADMIN.login,
    displayName: '医教科管理员',
    password: DEMO_ADMIN.password,
    role: 'unit-admin',
    organisationId: hospital,
    now,
  });
  await createUser(db, {
    login: DEMO_DIRECTOR.login,
    displayName: '医教科主任',
    password: DEMO_DIRECTOR.password,
    role: 'unit-admin',
    organisationId: hospital,
    now,
  });
  await seedCredits(db, { departmentId: departments[0]!, cityId: city, now, random });
  await createUser(db, {
    login: DEMO_PROVINCE.login,
    displayName: '安徽省继教办',
    password: DEMO_PROVINCE.password,
    role: 'province-admin',
    organisationId: province,
    now,
  });
  const kiosk = await createDevice(db, { name: DEMO_KIOSK_NAME, institutionId: hospital, now });
  await assignSession(db, kiosk.id, sessionId, now);
  await seedSecondHospital(db, vault, now);
  return { adminLogin: DEMO_ADMIN.login, adminPassword: DEMO_ADMIN.password, kioskPairingCode: kiosk.pairingCode };
}

/**
 * Demo credits: imported entries per person for last year and this year, so standings and
 * compliance have something to show: last year closed with about half the staff compliant, this
 * year under way with fewer; and the accounts that claim and review credits.
 */
async function seedCredits(db: DB, options: { departmentId: string; cityId: string; now: Date; random: () => number }) {
  const { now, random } = options;
  const year = chinaYear(now);
  const persons = await db.selectFrom('persons').select(['id', 'department_id']).where('registration_status', '=', 'approved').orderBy('cme_number').execute();
  const entries: NewLedgerEntry[] = [];
  const LABELS = ['国家级远程继续医学教育项目（导入）', '省级继续医学教育项目（导入）', '院内学术讲座（导入）'];
  for (const p of persons) {
    for (const cmeYear of [year - 1, year]) {
      const count = cmeYear < year ? 5 + Math.floor(random() * 8) : 2 + Math.floor(random() * 8);
      for (let i = 0; i < count; i++) {
        const kind = Math.floor(random() * 3);
        entries.push({
          personId: p.id,
          cmeYear,
          creditClass: kind === 2 ? 'II' : 'I',
          level: kind === 0 ? 'national' : kind === 1 ? 'provincial' : null,
          credits: [2, 3, 5, 6][Math.floor(random() * 4)]!,
          sourceKind: 'import',
          sourceId: `demo-${cmeYear}-${p.id}-${i}`,
          sourceLabel: LABELS[kind]!,
          approvedBy: null,
          at: now,
        });
      }
    }
  }
  await db.transaction().execute((trx) => appendLedgerEntries(trx, entries));
  const staff = persons.find((p) => p.department_id === options.departmentId)!;
  const staffUser = await createUser(db, {
    login: DEMO_STAFF.login,
    displayName: '演示学员',
    password: DEMO_STAFF.password,
    role: 'staff',
    organisationId: options.departmentId,
    now,
  });
  await db.insertInto('staff_accounts').values({ user_id: staffUser, person_id: staff.id, created_at: now.toISOString() }).execute();
  await createUser(db, {
    login: DEMO_REVIEWER.login,
    displayName: '心血管内科审核员',
    password: DEMO_REVIEWER.password,
    role: 'department-reviewer',
    organisationId: options.departmentId,
    now,
  });
  await createUser(db, {
    login: DEMO_CITY.login,
    displayName: '合肥市卫健委',
    password: DEMO_CITY.password,
    role: 'city-admin',
    organisationId: options.cityId,
    now,
  });
}

/** Hospital B (芜湖): added after everything of the first hospital, so that its ids and numbers stay as they were. */
async function seedSecondHospital(db: DB, vault: IdNumberVault, now: Date) {
  const at = now.toISOString();
  const city = (await db.selectFrom('organisations').select('id').where('region_code', '=', '340200').executeTakeFirstOrThrow()).id;
  const hospital = await organisation(db, 'institution', DEMO_HOSPITAL_B, city, now, { credit: HOSPITAL_B_CODE });
  const department = await organisation(db, 'department', '护理部', hospital, now);
  const check = validateIdNumber(DEMO_STAFF_B.idNumber);
  if (!check.valid) throw new Error(`seed has an invalid ID number ${DEMO_STAFF_B.idNumber}`);
  const personId = newId();
  await db.transaction().execute(async (trx) => {
    const version = await nextVersion(trx);
    const cmeNumber = await issueCmeNumber(trx, hospital, chinaYear(now));
    await trx
      .insertInto('persons')
      .values({
        id: personId,
        name: DEMO_STAFF_B.name,
        gender: check.gender,
        ...vault.seal(DEMO_STAFF_B.idNumber),
        phone: '13955300001',
        institution_id: hospital,
        department_id: department,
        title: '主管护师',
        category: 'nurse',
        cme_number: cmeNumber,
        photo_hash: await storePhoto(trx, await portrait(330, COATS.nurse), now),
        version,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await trx
      .insertInto('title_history')
      .values([
        { id: newId(), person_id: personId, kind: 'held', title: '主管护师', from_date: '2019-09-01', to_date: null, created_at: at },
        { id: newId(), person_id: personId, kind: 'employed', title: '主管护师', from_date: '2020-01-01', to_date: null, created_at: at },
      ])
      .execute();
    await trx
      .insertInto('credentials')
      .values(
        [
          { kind: 'id-card' as const, value: vault.index(DEMO_STAFF_B.idNumber) },
          { kind: 'card-number' as const, value: cmeNumber },
        ].map((c) => ({ id: newId(), person_id: personId, ...c, status: 'active' as const, version, created_at: at })),
      )
      .execute();
  });
  await createUser(db, {
    login: DEMO_ADMIN_B.login,
    displayName: '芜湖二院医教科',
    password: DEMO_ADMIN_B.password,
    role: 'unit-admin',
    organisationId: hospital,
    now,
  });
  const staffUser = await createUser(db, {
    login: DEMO_STAFF_B.login,
    displayName: DEMO_STAFF_B.name,
    password: DEMO_STAFF_B.password,
    role: 'staff',
    organisationId: department,
    now,
  });
  await db.insertInto('staff_accounts').values({ user_id: staffUser, person_id: personId, created_at: at }).execute();
}
