// Forward-only migrations. Each is frozen once released: change the schema with a new one.
// Written with Kysely's schema builder and portable column types so the same list runs on
// SQLite and PostgreSQL.
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { HUNAN_RULE_SET_2024, SHIPPED_RULE_SETS } from '@opencme/core';

export type DialectName = 'sqlite' | 'postgres';

type MigrationFactory = (dialect: DialectName) => Migration;

const blob = (d: DialectName) => (d === 'postgres' ? 'bytea' : 'blob');
// PostgreSQL's `real` is a 4-byte float (1.3 credits would read back as 1.2999999523); SQLite's is
// 8 bytes. No PostgreSQL database predates this line, so the older migrations say it here too.
const real = (d: DialectName) => (d === 'postgres' ? 'double precision' : 'real');
// Milliseconds (a clock's offset) can pass PostgreSQL's 4-byte integer; SQLite's are 8 bytes.
const bigint = (d: DialectName) => (d === 'postgres' ? 'bigint' : 'integer');

export const migrations: Record<string, MigrationFactory> = {
  '2026-11-22-0001-foundation': (dialect) => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('organisations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('parent_id', 'text', (c) => c.references('organisations.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('credit_code', 'text', (c) => c.unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('photos')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('height', 'integer', (c) => c.notNull())
        .addColumn('jpeg', blob(dialect), (c) => c.notNull())
        .addColumn('thumb_jpeg', blob(dialect), (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('persons')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('gender', 'text', (c) => c.notNull())
        .addColumn('id_number_enc', 'text', (c) => c.notNull())
        .addColumn('id_number_index', 'text', (c) => c.notNull().unique())
        .addColumn('id_number_masked', 'text', (c) => c.notNull())
        .addColumn('birth_date', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('institution_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('department_id', 'text', (c) => c.references('organisations.id'))
        .addColumn('title', 'text')
        .addColumn('category', 'text')
        .addColumn('cme_number', 'text', (c) => c.unique())
        .addColumn('photo_hash', 'text', (c) => c.references('photos.hash'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('persons_institution_version').on('persons').columns(['institution_id', 'version']).execute();

      await db.schema
        .createTable('credentials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('roster_key', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('credentials_kind_value', ['kind', 'value'])
        .execute();
      await db.schema.createIndex('credentials_person').on('credentials').column('person_id').execute();

      await db.schema
        .createTable('projects')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('number', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('credit_class', 'text', (c) => c.notNull())
        .addColumn('credits', real(dialect), (c) => c.notNull())
        .addColumn('organiser_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('venue', 'text', (c) => c.notNull())
        .addColumn('starts_on', 'text', (c) => c.notNull())
        .addColumn('ends_on', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('venue', 'text', (c) => c.notNull())
        .addColumn('starts_at', 'text', (c) => c.notNull())
        .addColumn('ends_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('institution_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('token_hash', 'text', (c) => c.unique())
        .addColumn('pairing_code_hash', 'text', (c) => c.unique())
        .addColumn('pairing_expires_at', 'text')
        .addColumn('paired_at', 'text')
        .addColumn('revoked_at', 'text')
        .addColumn('last_seen_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('device_sessions')
        .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('device_sessions_pk', ['device_id', 'session_id'])
        .execute();

      // No foreign keys on taps: a tap is a fact from the field and is stored even when it names
      // a session or person the server does not know (it is flagged instead).
      await db.schema
        .createTable('taps')
        .addColumn('tap_id', 'text', (c) => c.primaryKey())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('claimed_device_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('credential_kind', 'text', (c) => c.notNull())
        .addColumn('credential_value', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text')
        .addColumn('kiosk_person_id', 'text')
        .addColumn('wall_time', 'text', (c) => c.notNull())
        .addColumn('mono_time', real(dialect), (c) => c.notNull())
        .addColumn('boot_id', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('flag_reasons', 'text')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('taps_device_seq').on('taps').columns(['device_id', 'seq']).execute();
      await db.schema.createIndex('taps_session_person').on('taps').columns(['session_id', 'person_id']).execute();

      await db.schema
        .createTable('attendance')
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('sign_in_at', 'text')
        .addColumn('sign_out_at', 'text')
        .addColumn('tap_count', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('attendance_pk', ['session_id', 'person_id'])
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('login', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('auth_sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_user_id', 'text')
        .addColumn('actor_device_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('organisation_id', 'text')
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .execute();
      await db.schema.createIndex('audit_log_entity').on('audit_log').columns(['entity', 'entity_id']).execute();
      await db.schema.createIndex('audit_log_organisation_at').on('audit_log').columns(['organisation_id', 'at']).execute();

      await db.schema
        .createTable('counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'integer', (c) => c.notNull())
        .execute();
      await sql`insert into counters (name, value) values ('change', 0)`.execute(db);
    },
  }),

  '2026-11-22-0002-registry': () => ({
    async up(db: Kysely<any>) {
      // Units register themselves and wait for a city or province office to verify them.
      await db.schema
        .alterTable('organisations')
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('verified'))
        .execute();
      await db.schema.alterTable('organisations').addColumn('verified_at', 'text').execute();
      await db.schema.alterTable('organisations').addColumn('verified_by', 'text').execute();
      // Administrative division code (行政区划代码) of a province, city or county, e.g. 340000.
      await db.schema.alterTable('organisations').addColumn('region_code', 'text').execute();

      // Self-registration (自助注册) waits for review by the department or unit.
      await db.schema
        .alterTable('persons')
        .addColumn('registration_status', 'text', (c) => c.notNull().defaultTo('approved'))
        .execute();
      await db.schema.alterTable('persons').addColumn('registration_token_hash', 'text').execute();
      await db.schema.alterTable('persons').addColumn('submitted_at', 'text').execute();
      await db.schema.alterTable('persons').addColumn('reviewed_at', 'text').execute();
      await db.schema.alterTable('persons').addColumn('reviewed_by', 'text').execute();
      await db.schema.alterTable('persons').addColumn('reject_reason', 'text').execute();
      await db.schema.alterTable('persons').addColumn('specialty', 'text').execute();
      // Highest degree (学历) and the kind of ID document (证件类型: resident ID, HK/Macao/Taiwan
      // residence permit, foreign permanent resident card), which the number itself tells.
      await db.schema.alterTable('persons').addColumn('degree', 'text').execute();
      await db.schema
        .alterTable('persons')
        .addColumn('id_document', 'text', (c) => c.notNull().defaultTo('resident'))
        .execute();
      await db.schema.createIndex('persons_registration').on('persons').columns(['registration_status', 'institution_id', 'department_id']).execute();
      await db.schema.createIndex('persons_institution_name').on('persons').columns(['institution_id', 'name']).execute();
      await db.schema.createIndex('persons_department_name').on('persons').columns(['department_id', 'name']).execute();

      // Card issue category (发卡类别): I existing card, II new card, III lost-card replacement.
      await db.schema.alterTable('credentials').addColumn('issue_category', 'text').execute();
      await db.schema.alterTable('credentials').addColumn('lost_at', 'text').execute();
      // Kiosks name an ID card by its roster key (a digest), never by its number.
      await db.schema.createIndex('credentials_roster_key').on('credentials').column('roster_key').execute();

      // Title held and title employed at, each with dates: verification needs the title at a date.
      await db.schema
        .createTable('title_history')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('from_date', 'text', (c) => c.notNull())
        .addColumn('to_date', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('title_history_person').on('title_history').columns(['person_id', 'kind', 'from_date']).execute();

      await db.schema
        .alterTable('users')
        .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      // Failed sign-ins, counted per account and per address to slow down password guessing.
      await db.schema
        .createTable('login_failures')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('login', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('login_failures_login_at').on('login_failures').columns(['login', 'at']).execute();
      await db.schema.createIndex('login_failures_address_at').on('login_failures').columns(['address', 'at']).execute();
    },
  }),

  // The credit ledger (学分账本) is append-only: the database itself refuses to change or remove an
  // entry, so no code path (nor a hand-run query through the app's connection) can rewrite history.
  '2026-11-23-0003-ledger': (dialect) => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('ledger_entries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('cme_year', 'integer', (c) => c.notNull())
        .addColumn('credit_class', 'text', (c) => c.notNull())
        .addColumn('level', 'text')
        .addColumn('credits', real(dialect), (c) => c.notNull())
        .addColumn('source_kind', 'text', (c) => c.notNull())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('source_label', 'text', (c) => c.notNull())
        .addColumn('reverses_id', 'text', (c) => c.references('ledger_entries.id'))
        .addColumn('approved_by', 'text')
        .addColumn('approved_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        // One entry per person per source (a course attended, a claim, an import row, a reversal).
        .addUniqueConstraint('ledger_entries_source', ['person_id', 'source_kind', 'source_id'])
        .execute();
      await db.schema.createIndex('ledger_entries_person_year').on('ledger_entries').columns(['person_id', 'cme_year']).execute();
      if (dialect === 'sqlite') {
        await sql`create trigger ledger_entries_no_update before update on ledger_entries begin select raise(abort, 'ledger entries are append-only'); end`.execute(
          db,
        );
        await sql`create trigger ledger_entries_no_delete before delete on ledger_entries begin select raise(abort, 'ledger entries are append-only'); end`.execute(
          db,
        );
      } else {
        await sql`create function ledger_entries_append_only() returns trigger language plpgsql as $$ begin raise exception 'ledger entries are append-only'; end $$`.execute(
          db,
        );
        await sql`create trigger ledger_entries_no_change before update or delete on ledger_entries for each row execute function ledger_entries_append_only()`.execute(
          db,
        );
      }
    },
  }),
  // Projects (继续医学教育项目) with courses (课程), their review and execution; attendance against
  // the session's window with corrected device times; clock offsets per device boot.
  '2026-11-23-0101-projects-attendance': (dialect) => ({
    async up(db: Kysely<any>) {
      // Projects already in the database were entered before review existed: they are held as approved.
      for (const [column, type, fallback] of [
        ['status', 'text', "'approved'"],
        ['review_step', 'integer', '0'],
        ['report_summary', 'text', null],
        ['report_submitted_at', 'text', null],
        ['report_late', 'integer', '0'],
        ['credits_submitted_at', 'text', null],
        ['credits_approved_at', 'text', null],
        ['credits_approved_by', 'text', null],
      ] as const) {
        await db.schema
          .alterTable('projects')
          .addColumn(column, type, (c) => (fallback === null ? c : c.notNull().defaultTo(sql.raw(fallback))))
          .execute();
      }

      await db.schema
        .createTable('courses')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('starts_at', 'text', (c) => c.notNull())
        .addColumn('ends_at', 'text', (c) => c.notNull())
        .addColumn('credits', real(dialect), (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('courses_project').on('courses').column('project_id').execute();
      await db.schema
        .alterTable('sessions')
        .addColumn('course_id', 'text', (c) => c.references('courses.id'))
        .execute();

      await db.schema
        .createTable('project_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('from_status', 'text')
        .addColumn('to_status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('actor_user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('project_events_project').on('project_events').columns(['project_id', 'at']).execute();

      await db.schema
        .createTable('project_attachments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('bytes', blob(dialect), (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('province_settings')
        .addColumn('province_id', 'text', (c) => c.primaryKey().references('organisations.id'))
        .addColumn('project_lead_days', 'integer', (c) => c.notNull())
        .addColumn('report_days', 'integer', (c) => c.notNull())
        .addColumn('attendance_rules', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('device_clocks')
        .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
        .addColumn('boot_id', 'text', (c) => c.notNull())
        .addColumn('offset_ms', bigint(dialect), (c) => c.notNull())
        .addColumn('jumped_at', 'text')
        .addColumn('samples', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('device_clocks_pk', ['device_id', 'boot_id'])
        .execute();

      await db.schema.alterTable('taps').addColumn('at', 'text').execute();
      await db.schema
        .alterTable('taps')
        .addColumn('clock_jumped', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await sql`update taps set at = wall_time`.execute(db);

      for (const [column, type, fallback] of [
        ['status', 'text', "'absent'"],
        ['presence_minutes', 'integer', '0'],
        ['shortfalls', 'text', "''"],
        ['flagged', 'integer', '0'],
        ['corrected_sign_in_at', 'text', null],
        ['corrected_sign_out_at', 'text', null],
        ['correction_reason', 'text', null],
        ['corrected_by', 'text', null],
        ['corrected_at', 'text', null],
      ] as const) {
        await db.schema
          .alterTable('attendance')
          .addColumn(column, type, (c) => (fallback === null ? c : c.notNull().defaultTo(sql.raw(fallback))))
          .execute();
      }

      await db.schema
        .createTable('assessment_results')
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('passed', 'integer', (c) => c.notNull())
        .addColumn('score', real(dialect))
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('assessment_results_pk', ['project_id', 'person_id'])
        .execute();

      // What the organiser submitted for credit, frozen, so that the reviewer approves exactly that.
      await db.schema
        .createTable('credit_awards')
        .addColumn('course_id', 'text', (c) => c.notNull().references('courses.id'))
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
        .addColumn('credits', real(dialect), (c) => c.notNull())
        .addColumn('cme_year', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('credit_awards_pk', ['course_id', 'person_id'])
        .execute();
    },
  }),

  '2026-11-23-0201-rule-sets-and-claims': (dialect) => ({
    async up(db: Kysely<any>) {
      // Rule sets are versions: a new year's rules are a new row, never an edit of an old one,
      // so a frozen verification can always be re-read against the rules it was made under.
      await db.schema
        .createTable('rule_sets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('from_year', 'integer', (c) => c.notNull())
        .addColumn('to_year', 'integer')
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('copied_from', 'text', (c) => c.references('rule_sets.id'))
        .addColumn('created_by', 'text', (c) => c.references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      // The shipped rule sets as they stood when this migration was written; later versions
      // are new rows with new ids.
      const at = '2026-11-23T00:00:00.000Z';
      for (const r of SHIPPED_RULE_SETS) {
        await db
          .insertInto('rule_sets')
          .values({
            id: r.id,
            region: r.region,
            from_year: r.fromYear,
            to_year: r.toYear,
            definition: JSON.stringify(r),
            copied_from: null,
            created_by: null,
            created_at: at,
          })
          .execute();
      }

      // A claim (非项目学分申报) is immutable once submitted: withdrawing marks it withdrawn and a
      // resubmission is a new claim that names the one it replaces.
      await db.schema
        .createTable('claims')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('activity', 'text', (c) => c.notNull())
        .addColumn('occurred_on', 'text', (c) => c.notNull())
        .addColumn('cme_year', 'integer', (c) => c.notNull())
        .addColumn('credit_class', 'text', (c) => c.notNull())
        .addColumn('level', 'text')
        .addColumn('credits', real(dialect), (c) => c.notNull())
        .addColumn('months', 'integer', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('chain', 'text', (c) => c.notNull())
        .addColumn('stage', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('replaces_id', 'text', (c) => c.references('claims.id'))
        .addColumn('submitted_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('submitted_at', 'text', (c) => c.notNull())
        .addColumn('closed_at', 'text')
        .execute();
      await db.schema.createIndex('claims_person_year').on('claims').columns(['person_id', 'cme_year']).execute();
      await db.schema.createIndex('claims_status_stage').on('claims').columns(['status', 'stage']).execute();
    },
  }),
  '2026-11-23-0202-proofs': () => ({
    async up(db: Kysely<any>) {
      // Every proof ever issued, with the exact code its QR carries, so that it can be revoked
      // and a verifier online can learn that it was.
      await db.schema
        .createTable('proofs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('from_year', 'integer', (c) => c.notNull())
        .addColumn('to_year', 'integer', (c) => c.notNull())
        .addColumn('ledger_entry_id', 'text', (c) => c.references('ledger_entries.id'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('issued_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_by', 'text', (c) => c.references('users.id'))
        .addColumn('revoke_reason', 'text')
        .execute();
      await db.schema.createIndex('proofs_person').on('proofs').columns(['person_id', 'issued_at']).execute();
    },
  }),
  '2026-11-23-0203-claim-evidence-and-reviews': (dialect) => ({
    async up(db: Kysely<any>) {
      // The person record a staff account acts for (its own claims, its own standing).
      await db.schema
        .createTable('staff_accounts')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
        .addColumn('person_id', 'text', (c) => c.notNull().unique().references('persons.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      // Evidence is stored once by content hash: the same file claimed twice is one row, which
      // is how a second claim of it is noticed.
      await db.schema
        .createTable('evidence_files')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('bytes', blob(dialect), (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('claim_evidence')
        .addColumn('claim_id', 'text', (c) => c.notNull().references('claims.id'))
        .addColumn('evidence_hash', 'text', (c) => c.notNull().references('evidence_files.hash'))
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('claim_evidence_pk', ['claim_id', 'evidence_hash'])
        .execute();
      await db.schema.createIndex('claim_evidence_hash').on('claim_evidence').column('evidence_hash').execute();
      await db.schema
        .createTable('claim_reviews')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('claim_id', 'text', (c) => c.notNull().references('claims.id'))
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('reviewer_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('claim_reviews_claim').on('claim_reviews').column('claim_id').execute();
    },
  }),
  '2026-11-23-0204-verification': (dialect) => ({
    async up(db: Kysely<any>) {
      // A unit's annual verification (学分审验) for a year and a round. Results are copied out of
      // the ledger when the run is made; once submitted to the city they never change again.
      await db.schema
        .createTable('verification_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('cme_year', 'integer', (c) => c.notNull())
        .addColumn('round', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('submitted_at', 'text')
        .addColumn('forwarded_at', 'text')
        .addUniqueConstraint('verification_runs_unit_year_round', ['organisation_id', 'cme_year', 'round'])
        .execute();
      await db.schema
        .createTable('verification_results')
        .addColumn('run_id', 'text', (c) => c.notNull().references('verification_runs.id'))
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('department_id', 'text')
        .addColumn('title', 'text')
        .addColumn('rule_set_id', 'text', (c) => c.notNull())
        .addColumn('class_i', real(dialect), (c) => c.notNull())
        .addColumn('class_ii', real(dialect), (c) => c.notNull())
        .addColumn('total', real(dialect), (c) => c.notNull())
        .addColumn('compliant', 'integer', (c) => c.notNull())
        .addColumn('basis', 'text', (c) => c.notNull())
        .addColumn('explanation', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('verification_results_pk', ['run_id', 'person_id'])
        .execute();
    },
  }),
  // Security (issue 9): a view of personal data is logged under the person's unit, and the actor's
  // own organisation rides beside it so that both sides' admins see the line in their log.
  '2026-11-30-0901-audit-actor-organisation': () => ({
    async up(db: Kysely<any>) {
      await db.schema.alterTable('audit_log').addColumn('actor_organisation_id', 'text').execute();
      await db.schema.createIndex('audit_log_actor_organisation_at').on('audit_log').columns(['actor_organisation_id', 'at']).execute();
    },
  }),
  // Security (issue 9): a tap names a person only when it was recorded at a door of its session,
  // of a project that may be held, by someone the session may admit. Taps stored before named
  // anyone whose card number was guessed, and built attendance (hence rosters with full ID numbers
  // and credits) from them: they lose the person, and what was built from them goes. The rules are
  // written out here, not imported, so that this migration means the same thing forever.
  '2026-11-30-09A1-taps-name-admitted-people-only': () => ({
    async up(db: Kysely<any>) {
      const organisations: { id: string; parent_id: string | null }[] = await db.selectFrom('organisations').select(['id', 'parent_id']).execute();
      const children = new Map<string, string[]>();
      for (const o of organisations) {
        if (!o.parent_id) continue;
        if (!children.has(o.parent_id)) children.set(o.parent_id, []);
        children.get(o.parent_id)!.push(o.id);
      }
      const trees = new Map<string, Set<string>>();
      const treeOf = (root: string) => {
        let tree = trees.get(root);
        if (!tree) {
          tree = new Set<string>();
          for (const stack = [root]; stack.length > 0;) {
            const id = stack.pop()!;
            tree.add(id);
            stack.push(...(children.get(id) ?? []));
          }
          trees.set(root, tree);
        }
        return tree;
      };
      type Named = { organiser_id: string | null; institution_id: string; department_id: string | null; registration_status: string };
      const admitted = (r: Named) =>
        r.organiser_id !== null &&
        r.registration_status === 'approved' &&
        (treeOf(r.organiser_id).has(r.institution_id) || (r.department_id !== null && treeOf(r.organiser_id).has(r.department_id)));
      const held = (status: string | null) => status !== null && !['draft', 'submitted', 'rejected'].includes(status);

      let after = '';
      for (;;) {
        const page: (Named & {
          tap_id: string;
          flag_reasons: string | null;
          project_status: string | null;
          assigned: string | null;
          session_found: string | null;
        })[] = await db
          .selectFrom('taps')
          .innerJoin('persons', 'persons.id', 'taps.person_id')
          .leftJoin('sessions', 'sessions.id', 'taps.session_id')
          .leftJoin('projects', 'projects.id', 'sessions.project_id')
          .leftJoin('device_sessions', (j) =>
            j.onRef('device_sessions.device_id', '=', 'taps.device_id').onRef('device_sessions.session_id', '=', 'taps.session_id'),
          )
          .select([
            'taps.tap_id',
            'taps.flag_reasons',
            'sessions.id as session_found',
            'projects.organiser_id',
            'projects.status as project_status',
            'device_sessions.session_id as assigned',
            'persons.institution_id',
            'persons.department_id',
            'persons.registration_status',
          ])
          .where('taps.tap_id', '>', after)
          .orderBy('taps.tap_id')
          .limit(2000)
          .execute();
        if (page.length === 0) break;
        after = page.at(-1)!.tap_id;
        for (const t of page) {
          if (t.session_found !== null && t.assigned !== null && held(t.project_status) && admitted(t)) continue;
          const reasons = new Set(t.flag_reasons ? t.flag_reasons.split(',') : []);
          if (t.session_found === null) reasons.add('unknown-session');
          if (t.session_found !== null && t.assigned === null) reasons.add('session-not-assigned');
          if (t.session_found !== null && !held(t.project_status)) reasons.add('project-not-held');
          if (!admitted(t)) reasons.add('unknown-credential');
          await db
            .updateTable('taps')
            .set({ person_id: null, status: 'flagged', flag_reasons: [...reasons].join(',') })
            .where('tap_id', '=', t.tap_id)
            .execute();
        }
      }

      // Attendance of someone the session may not admit goes, corrected or not; so does attendance
      // that no tap names any more and no organiser corrected.
      const rows: (Named & { session_id: string; person_id: string })[] = await db
        .selectFrom('attendance')
        .innerJoin('persons', 'persons.id', 'attendance.person_id')
        .innerJoin('sessions', 'sessions.id', 'attendance.session_id')
        .innerJoin('projects', 'projects.id', 'sessions.project_id')
        .select([
          'attendance.session_id',
          'attendance.person_id',
          'projects.organiser_id',
          'persons.institution_id',
          'persons.department_id',
          'persons.registration_status',
        ])
        .execute();
      for (const r of rows) {
        if (!admitted(r)) await db.deleteFrom('attendance').where('session_id', '=', r.session_id).where('person_id', '=', r.person_id).execute();
      }
      await db
        .deleteFrom('attendance')
        .where('corrected_at', 'is', null)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('taps')
                .select('taps.tap_id')
                .whereRef('taps.session_id', '=', 'attendance.session_id')
                .whereRef('taps.person_id', '=', 'attendance.person_id'),
            ),
          ),
        )
        .execute();
      // Credits submitted but not yet approved for someone with no attendance left are withdrawn
      // from the submission; approved ones are in the append-only ledger, for the offices to reverse.
      await db
        .deleteFrom('credit_awards')
        .where('project_id', 'in', db.selectFrom('projects').select('id').where('status', '=', 'credits-submitted'))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('attendance')
                .innerJoin('sessions', 'sessions.id', 'attendance.session_id')
                .select('attendance.person_id')
                .whereRef('sessions.course_id', '=', 'credit_awards.course_id')
                .whereRef('attendance.person_id', '=', 'credit_awards.person_id'),
            ),
          ),
        )
        .execute();
    },
  }),
  // Security (issue 9): the proof-signing keys with their validity, so that the published list
  // says from when until when each key signed, and a withdrawn key stops verifying anywhere.
  '2026-11-30-09E1-proof-keys': () => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('proof_keys')
        .addColumn('key_id', 'text', (c) => c.primaryKey())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('not_before', 'text', (c) => c.notNull())
        .addColumn('not_after', 'text')
        .addColumn('withdrawn_at', 'text')
        .addColumn('withdrawn_reason', 'text')
        .execute();
    },
  }),
  // Security (issue 9): throttles live in the database, so that they survive a restart and hold
  // across several server processes; failed sign-ins back off per (login, address) instead of
  // locking an account; a duplicate registration is kept beside the person, not in their record.
  '2026-11-30-09D1-throttles': () => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('rate_limits')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('hits', 'integer', (c) => c.notNull())
        .addColumn('window_ends_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('rate_limits_window_ends_at').on('rate_limits').column('window_ends_at').execute();
      await db.schema
        .createTable('sign_in_backoff')
        .addColumn('login', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('blocked_until', 'text', (c) => c.notNull())
        .addColumn('last_attempt_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('sign_in_backoff_pk', ['login', 'address'])
        .execute();
      await db.schema.createIndex('sign_in_backoff_last_attempt_at').on('sign_in_backoff').column('last_attempt_at').execute();
      await db.schema.dropTable('login_failures').execute();
      await db.schema.createIndex('auth_sessions_expires_at').on('auth_sessions').column('expires_at').execute();
      await db.schema.createIndex('auth_sessions_user').on('auth_sessions').column('user_id').execute();
      await db.schema
        .createTable('registration_duplicates')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('institution_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('department_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('photo_hash', 'text', (c) => c.notNull().references('photos.hash'))
        .addColumn('submitted_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('registration_duplicates_person').on('registration_duplicates').column('person_id').execute();
    },
  }),
  // Security (issue 9): files travel as files. An upload waits here, for an hour at most, until
  // the form that needs it (registration, claim, report, assessment import) is submitted.
  '2026-11-30-09C1-uploads': (dialect) => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('uploads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('owner_user_id', 'text', (c) => c.references('users.id'))
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('bytes', blob(dialect), (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('uploads_created_at').on('uploads').column('created_at').execute();
    },
  }),
  // Security (issue 9): a copy of the database without the keys reveals no ID number. The birth
  // date beside the 6 + 4 mask rebuilt the number, and the kiosks' unkeyed SHA-256 roster keys
  // fell to a sweep of one region's birth dates: both go. Masks become 3 + 4 (made from the old
  // mask: a migration has no keys), and each kiosk gets a roster key of its own at pairing.
  '2026-11-30-09B1-id-numbers-at-rest': () => ({
    async up(db: Kysely<any>) {
      for (const length of [18, 15]) {
        await sql`update persons set id_number_masked = substr(id_number_masked, 1, 3) || ${'*'.repeat(length - 7)} || substr(id_number_masked, ${length - 3})
          where length(id_number_masked) = ${length}`.execute(db);
      }
      await db.schema.alterTable('persons').dropColumn('birth_date').execute();
      await db.schema.dropIndex('credentials_roster_key').execute();
      await db.schema.alterTable('credentials').dropColumn('roster_key').execute();
      for (const column of ['roster_key_enc', 'roster_key_id', 'roster_key_acked_at']) {
        await db.schema.alterTable('devices').addColumn(column, 'text').execute();
      }
    },
  }),
  '2026-11-30-09R1-unit-seals': (dialect) => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('unit_seals')
        .addColumn('organisation_id', 'text', (c) => c.primaryKey().references('organisations.id'))
        .addColumn('png', blob(dialect), (c) => c.notNull())
        .addColumn('uploaded_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('uploaded_at', 'text', (c) => c.notNull())
        .execute();
    },
  }),
  // Integrity (issue 14): each pairing of a kiosk opens a signed tap chain under a key the kiosk
  // made; taps carry their link, and the chain's state is kept as taps arrive, never recomputed whole.
  '2026-11-30-14A1-tap-chains': () => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('tap_chains')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('end_reason', 'text')
        .addColumn('complete_through', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('tap_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('tap_chains_device').on('tap_chains').column('device_id').execute();
      for (const column of ['chain_id', 'chain_prev_hash', 'chain_hash', 'chain_signature', 'credential_digest']) {
        await db.schema.alterTable('taps').addColumn(column, 'text').execute();
      }
      await db.schema.createIndex('taps_chain_seq').on('taps').columns(['chain_id', 'seq']).execute();
    },
  }),
  '2026-11-30-12A1-accounts': () => ({
    async up(db: Kysely<any>) {
      // A registrant's chosen password (scrypt), kept apart until approval makes it an account's.
      await db.schema
        .createTable('registrant_passwords')
        .addColumn('person_id', 'text', (c) => c.primaryKey().references('persons.id'))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('set_at', 'text', (c) => c.notNull())
        .execute();
      // One-time codes (一次性验证码) an administrator issues so that someone can set a new password.
      await db.schema
        .createTable('password_reset_codes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('issued_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema.createIndex('password_reset_codes_user').on('password_reset_codes').columns(['user_id', 'expires_at']).execute();
      // A session opened with a reset code may do nothing but set a new password.
      await db.schema.alterTable('auth_sessions').addColumn('reset_code_id', 'text').execute();
      // The person an administrator's account belongs to, where they are staff too.
      await db.schema
        .alterTable('users')
        .addColumn('person_id', 'text', (c) => c.references('persons.id'))
        .execute();
      await db.schema.createIndex('persons_phone').on('persons').column('phone').execute();
    },
  }),
  // Proxy-tap (代刷) detection (issue 14): what the rules found, for the organiser's reviewers to
  // confirm or dismiss; a confirmed alert voids the attendance it names. The rules read taps by
  // door and by person around each pushed batch, hence the two indexes; a province may set its own
  // thresholds, and a door may say where it stands.
  '2026-11-30-14B1-proxy-alerts': () => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('proxy_alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id'))
        .addColumn('params', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text', (c) => c.references('users.id'))
        .addColumn('decided_at', 'text')
        .addColumn('decision_reason', 'text')
        .addUniqueConstraint('proxy_alerts_rule_key', ['rule', 'organisation_id', 'key'])
        .execute();
      await db.schema.createIndex('proxy_alerts_organisation_status').on('proxy_alerts').columns(['organisation_id', 'status', 'created_at']).execute();
      await db.schema
        .createTable('proxy_alert_taps')
        .addColumn('alert_id', 'text', (c) => c.notNull().references('proxy_alerts.id'))
        .addColumn('tap_id', 'text', (c) => c.notNull().references('taps.tap_id'))
        .addPrimaryKeyConstraint('proxy_alert_taps_pk', ['alert_id', 'tap_id'])
        .execute();
      await db.schema.createIndex('proxy_alert_taps_tap').on('proxy_alert_taps').column('tap_id').execute();
      await db.schema.createIndex('taps_device_at').on('taps').columns(['device_id', 'at']).execute();
      await db.schema.createIndex('taps_person_at').on('taps').columns(['person_id', 'at']).execute();
      await db.schema.createIndex('taps_session_at').on('taps').columns(['session_id', 'at']).execute();
      for (const column of ['voided_at', 'void_reason', 'voided_by']) await db.schema.alterTable('attendance').addColumn(column, 'text').execute();
      await db.schema.alterTable('province_settings').addColumn('proxy_rules', 'text').execute();
      await db.schema.alterTable('devices').addColumn('place', 'text').execute();
    },
  }),
  // Attendees from other units and provinces (issue 12): enrolment (报名) in a project, which the
  // organiser closes; and external people (院外/省外人员), kept as persons of the recording unit
  // with the workplace they named and a registration status of their own, so that no roster,
  // staff list or compliance count (which all read approved staff) ever takes them in.
  '2026-11-30-12C1-enrolment': () => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('enrolments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('enrolled_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('enrolled_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addUniqueConstraint('enrolments_project_person', ['project_id', 'person_id'])
        .execute();
      await db.schema.createIndex('enrolments_person').on('enrolments').column('person_id').execute();
      await db.schema.createIndex('enrolments_version').on('enrolments').column('version').execute();
      await db.schema.alterTable('projects').addColumn('enrolment_closed_at', 'text').execute();
      await db.schema.alterTable('persons').addColumn('workplace', 'text').execute();
    },
  }),
  // Exchange (issue 11): an import is previewed before it changes anything, and the preview is
  // kept in the database (several server processes share it), bound to its user, for a while;
  // each commit is a batch that can be listed and undone. The title a unit employs someone at
  // (聘任职称) sits beside the one they hold, as lists and compliance read it.
  '2026-11-30-11A1-exchange': () => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('exchange_previews')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('scope_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('file_sha256', 'text', (c) => c.notNull())
        .addColumn('rows', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('errors', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('committed_batch_id', 'text')
        .execute();
      await db.schema.createIndex('exchange_previews_expires_at').on('exchange_previews').column('expires_at').execute();
      await db.schema
        .createTable('exchange_batches')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('scope_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('file_sha256', 'text', (c) => c.notNull())
        .addColumn('created_count', 'integer', (c) => c.notNull())
        .addColumn('updated_count', 'integer', (c) => c.notNull())
        .addColumn('unchanged_count', 'integer', (c) => c.notNull())
        .addColumn('undo', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('undone_at', 'text')
        .addColumn('undone_by', 'text', (c) => c.references('users.id'))
        .execute();
      await db.schema.createIndex('exchange_batches_scope').on('exchange_batches').columns(['scope_id', 'created_at']).execute();
      await db.schema.alterTable('persons').addColumn('employed_title', 'text').execute();
      await db.schema.alterTable('persons').addColumn('employed_title_since', 'text').execute();
    },
  }),
  // The national project list (国家级项目, imported by the province) carries its leader (负责人)
  // and planned number of attendees (学员人数), which a unit's own declaration does not.
  '2026-11-30-11B1-national-projects': () => ({
    async up(db: Kysely<any>) {
      await db.schema.alterTable('projects').addColumn('leader', 'text').execute();
      await db.schema.alterTable('projects').addColumn('planned_attendees', 'integer').execute();
    },
  }),
  // An import about one record (the results of one project's assessment, 考核成绩) names it beside
  // the organisation it is for.
  '2026-11-30-11C1-exchange-subject': () => ({
    async up(db: Kysely<any>) {
      await db.schema.alterTable('exchange_previews').addColumn('subject_id', 'text').execute();
      await db.schema.alterTable('exchange_batches').addColumn('subject_id', 'text').execute();
    },
  }),
  // Registry maintenance (issue 12): where a person was when (调动), when she left (离职/退休/死亡),
  // the title her unit employs her at (聘任, which 达标率 counts), transfers between units waiting
  // for the receiving unit, and the card fees a province charges (工本费).
  '2026-11-30-12B1-registry-maintenance': () => ({
    async up(db: Kysely<any>) {
      // employed_title and employed_title_since came with the exchange (11A1).
      for (const column of ['left_on', 'leaving_reason', 'placed_since']) {
        await db.schema.alterTable('persons').addColumn(column, 'text').execute();
      }
      // Until now the employed title lived only in the title history: its open row is the current one.
      await sql`update persons set employed_title = (select t.title from title_history t where t.person_id = persons.id and t.kind = 'employed' and t.to_date is null order by t.from_date desc limit 1),
        employed_title_since = (select t.from_date from title_history t where t.person_id = persons.id and t.kind = 'employed' and t.to_date is null order by t.from_date desc limit 1)`.execute(
        db,
      );
      await db.schema
        .createTable('person_placements')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('institution_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('department_id', 'text', (c) => c.references('organisations.id'))
        .addColumn('from_date', 'text')
        .addColumn('to_date', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('person_placements_person').on('person_placements').column('person_id').execute();
      await db.schema.createIndex('person_placements_institution').on('person_placements').columns(['institution_id', 'to_date']).execute();
      await db.schema
        .createTable('transfers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('from_institution_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('to_institution_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('to_department_id', 'text', (c) => c.references('organisations.id'))
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text', (c) => c.references('users.id'))
        .addColumn('decided_at', 'text')
        .execute();
      await db.schema.createIndex('transfers_to').on('transfers').columns(['to_institution_id', 'status']).execute();
      await db.schema.createIndex('transfers_person').on('transfers').columns(['person_id', 'status']).execute();
      await db.schema.alterTable('credentials').addColumn('fee_yuan', 'integer').execute();
      await db.schema.alterTable('credentials').addColumn('ended_at', 'text').execute();
      await db.schema.alterTable('province_settings').addColumn('card_fees', 'text').execute();
    },
  }),
  // Print jobs leave process memory (issue 15): several server processes behind one proxy answer
  // the page's polls and its download whichever of them started the job.
  '2026-11-30-15B1-print-jobs': (dialect) => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('print_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner_user_id', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('done', 'integer', (c) => c.notNull())
        .addColumn('pdf', blob(dialect))
        .addColumn('error', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('print_jobs_expiry').on('print_jobs').column('expires_at').execute();
    },
  }),
  // Projects' rest of life (issue 13): the specialty (专业); cancellation (项目废止) with its reason;
  // when a declaration was submitted; the execution report's own review chain (执行情况逐级审核);
  // the kind of each file (办班通知, 日程安排, report attachments); and the province's deadlines
  // and required declaration files as settings (null: core's defaults).
  '2026-11-30-13D1-project-life': () => ({
    async up(db: Kysely<any>) {
      for (const column of ['specialty', 'cancel_reason', 'cancelled_at', 'cancelled_by', 'submitted_at', 'report_status']) {
        await db.schema.alterTable('projects').addColumn(column, 'text').execute();
      }
      await db.schema
        .alterTable('projects')
        .addColumn('report_review_step', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('project_attachments')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('report'))
        .execute();
      await db.schema.createIndex('project_attachments_project').on('project_attachments').column('project_id').execute();
      for (const column of ['credits_days', 'review_days']) {
        await db.schema.alterTable('province_settings').addColumn(column, 'integer').execute();
      }
      await db.schema.alterTable('province_settings').addColumn('declaration_files', 'text').execute();
    },
  }),
  // Attendance folds new taps into a kept state instead of re-reading every tap of a person (issue 15).
  '2026-11-30-15D1-attendance-fold': () => ({
    async up(db: Kysely<any>) {
      await db.schema.alterTable('attendance').addColumn('window_first_at', 'text').execute();
      await db.schema.alterTable('attendance').addColumn('window_last_at', 'text').execute();
      await db.schema.alterTable('attendance').addColumn('tap_window', 'text').execute();
    },
  }),
  // Each person's totals per CME year, kept with the ledger, so that compliance reads one row a person (issue 15).
  '2026-11-30-15D1-credit-totals': () => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('credit_totals')
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('cme_year', 'integer', (c) => c.notNull())
        .addColumn('class_i', 'real', (c) => c.notNull())
        .addColumn('class_ii', 'real', (c) => c.notNull())
        .addColumn('national', 'real', (c) => c.notNull())
        .addColumn('months', 'real', (c) => c.notNull())
        .addPrimaryKeyConstraint('credit_totals_pk', ['person_id', 'cme_year'])
        .execute();
      await db.schema.createIndex('credit_totals_year').on('credit_totals').columns(['cme_year', 'person_id']).execute();
      // The same sums as repositories/ledger.ts totalsFromLedger, over the ledger there is.
      await sql`insert into credit_totals (person_id, cme_year, class_i, class_ii, national, months)
        select e.person_id, e.cme_year,
          sum(case when e.credit_class = 'I' then e.credits else 0 end),
          sum(case when e.credit_class = 'II' then e.credits else 0 end),
          sum(case when e.credit_class = 'I' and e.level = 'national' then e.credits else 0 end),
          sum(coalesce(c.months, rc.months, 0) * (case when e.source_kind = 'reversal' then -1 else 1 end))
        from ledger_entries e
        left join claims c on e.source_kind = 'claim' and c.id = e.source_id and c.activity = 'further-study'
        left join ledger_entries o on e.source_kind = 'reversal' and o.id = e.reverses_id and o.source_kind = 'claim'
        left join claims rc on rc.id = o.source_id and rc.activity = 'further-study'
        group by e.person_id, e.cme_year`.execute(db);
    },
  }),
  // The province's side of verification (issue 13): it accepts (备案) a forwarded verification or
  // returns it (退回) with a reason; what it accepts is copied into a snapshot of its own that no
  // later ledger change, re-run or rename moves, and that the proofs and the HR hand-off read. HR
  // systems pull the accepted results with tokens of their own (stored as digests only).
  '2026-11-30-13A1-verification-acceptance': () => ({
    async up(db: Kysely<any>) {
      for (const column of ['accepted_at', 'accepted_by', 'returned_at', 'returned_by', 'return_reason']) {
        await db.schema.alterTable('verification_runs').addColumn(column, 'text').execute();
      }
      await db.schema
        .createTable('verification_accepted')
        .addColumn('run_id', 'text', (c) => c.notNull().references('verification_runs.id'))
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('department', 'text', (c) => c.notNull())
        .addColumn('title', 'text')
        .addColumn('class_i', 'real', (c) => c.notNull())
        .addColumn('class_ii', 'real', (c) => c.notNull())
        .addColumn('total', 'real', (c) => c.notNull())
        .addColumn('compliant', 'integer', (c) => c.notNull())
        .addColumn('basis', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('verification_accepted_pk', ['run_id', 'person_id'])
        .execute();
      await db.schema
        .createTable('hr_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_by', 'text', (c) => c.references('users.id'))
        .addColumn('revoked_at', 'text')
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema.createIndex('hr_tokens_organisation').on('hr_tokens').column('organisation_id').execute();
    },
  }),
  '2026-11-30-13B1-online-learning': () => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('online_platforms')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_enc', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_by', 'text', (c) => c.references('users.id'))
        .execute();
      await db.schema.createIndex('online_platforms_organisation').on('online_platforms').column('organisation_id').execute();
      await db.schema
        .createTable('online_watch_events')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id'))
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('starts_at', 'text', (c) => c.notNull())
        .addColumn('ends_at', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('online_watch_events_pk', ['source', 'event_id'])
        .execute();
      await db.schema.createIndex('online_watch_events_session').on('online_watch_events').columns(['session_id', 'person_id']).execute();
      await db.schema
        .createTable('online_request_signatures')
        .addColumn('platform_id', 'text', (c) => c.notNull().references('online_platforms.id'))
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('seen_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('online_request_signatures_pk', ['platform_id', 'signature'])
        .execute();
      await db.schema.createIndex('online_request_signatures_seen').on('online_request_signatures').column('seen_at').execute();
    },
  }),
  // Issue 13 (part C): Hunan's rule set, whose compliant years earn the annual certificate
  // (专业科目培训合格证明); and the sanctions the seeds name: a person's year voided for cheating
  // (作废年度学分: its credits reversed, and no new ones while the void stands) and an organiser
  // barred from declaring projects (取消办班资格) for one to three years.
  '2026-11-30-13C1-annual-certificates-and-sanctions': () => ({
    async up(db: Kysely<any>) {
      const r = HUNAN_RULE_SET_2024;
      await db
        .insertInto('rule_sets')
        .values({
          id: r.id,
          region: r.region,
          from_year: r.fromYear,
          to_year: r.toYear,
          definition: JSON.stringify(r),
          copied_from: null,
          created_by: null,
          created_at: '2026-11-30T00:00:00.000Z',
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      await db.schema
        .createTable('voided_years')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('person_id', 'text', (c) => c.notNull().references('persons.id'))
        .addColumn('cme_year', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('voided_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('voided_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('voided_years_person_year', ['person_id', 'cme_year'])
        .execute();
      await db.schema
        .createTable('organiser_bars')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('from_date', 'text', (c) => c.notNull())
        .addColumn('until_date', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('barred_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('barred_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('organiser_bars_organisation').on('organiser_bars').columns(['organisation_id', 'until_date']).execute();
    },
  }),
  // PostgreSQL's TRUNCATE fires no row trigger: the ledger refuses it by a statement trigger too.
  // (SQLite has no TRUNCATE; its DELETE without WHERE fires the row trigger.)
  '2026-11-30-15A1-ledger-no-truncate': (dialect) => ({
    async up(db: Kysely<any>) {
      if (dialect === 'postgres')
        await sql`create trigger ledger_entries_no_truncate before truncate on ledger_entries for each statement execute function ledger_entries_append_only()`.execute(
          db,
        );
    },
  }),
  // The staff list pages by keyset (issue 15): each order it offers is a walk of one index from
  // the cursor, within a unit (or a department, for the department order), whatever the page.
  '2026-11-30-15F1-staff-keyset-indexes': () => ({
    async up(db: Kysely<any>) {
      const columns = (sortKey: string) => ['registration_status', sortKey, 'id'];
      await db.schema
        .createIndex('persons_unit_by_name')
        .on('persons')
        .columns(['institution_id', ...columns('name')])
        .execute();
      await db.schema
        .createIndex('persons_unit_by_cme_number')
        .on('persons')
        .columns(['institution_id', ...columns('cme_number')])
        .execute();
      await db.schema
        .createIndex('persons_unit_by_updated')
        .on('persons')
        .columns(['institution_id', ...columns('updated_at')])
        .execute();
      await db.schema
        .createIndex('persons_department_by_name')
        .on('persons')
        .columns(['department_id', ...columns('name')])
        .execute();
    },
  }),
  // A boot's clock estimate keeps the device's wall minus monotonic time it was taken at: a jump of
  // the wall clock is told from the device's own clocks, not from two pushes' different delays.
  '2026-11-30-15H1-clock-estimate': (dialect) => ({
    async up(db: Kysely<any>) {
      await db.schema.alterTable('device_clocks').addColumn('wall_minus_mono_ms', bigint(dialect)).execute();
    },
  }),
  // Issue 15: a kiosk's photo by hash is served only if it is the photo of someone on its roster:
  // that check looks persons up by photo hash, at 200 000 people per unit.
  '2026-11-30-15C1-persons-photo-hash': () => ({
    async up(db: Kysely<any>) {
      await db.schema.createIndex('persons_photo_hash').on('persons').column('photo_hash').execute();
    },
  }),
  // Issue 15: every walk down the organisation tree (a scope, a subtree's compliance) joins children
  // on their parent; without this index SQLite built a temporary one at each walk.
  '2026-12-01-16B1-organisations-parent': () => ({
    async up(db: Kysely<any>) {
      await db.schema.createIndex('organisations_parent').on('organisations').column('parent_id').execute();
    },
  }),
};
