// Column conventions (the same on SQLite and PostgreSQL): ids are text (UUIDv7, made where the
// fact happens); times are ISO-8601 text; booleans are 0/1 integers; `version` columns take
// values from the global change counter so that kiosks can pull "changes since".
import type { ClaimActivityKey, CreditClass, CreditLevel, CredentialKind, ProjectFileKind, ProjectStatus, ReviewOffice, StaffCategory } from '@opencme/core';
import type { Generated, Insertable, Selectable } from 'kysely';
import type { Role } from '../role.ts';

export interface OrganisationTable {
  id: string;
  parent_id: string | null;
  /** province 省 / city 市州 / county 县区 / institution 医疗机构 / department 科室 */
  kind: 'province' | 'city' | 'county' | 'institution' | 'department';
  name: string;
  /** Unified social credit code (统一社会信用代码) of an institution. */
  credit_code: string | null;
  created_at: string;
  /** A self-registered unit waits for verification by its city or province office. */
  status: Generated<'pending' | 'verified' | 'rejected'>;
  verified_at: string | null;
  verified_by: string | null;
  /** Administrative division code (行政区划代码) of a province, city or county, e.g. 340000. */
  region_code: string | null;
}

export interface PersonTable {
  id: string;
  name: string;
  gender: 'male' | 'female';
  /** AES-256-GCM ciphertext of the ID number (see pii.ts); never stored in clear. */
  id_number_enc: string;
  /** HMAC blind index of the ID number, for exact-match lookup. */
  id_number_index: string;
  /**
   * What lists show: 110***********002X. No birth date is kept beside it (it is in the number,
   * for those who may see the number): the two together would rebuild it.
   */
  id_number_masked: string;
  phone: string | null;
  institution_id: string;
  department_id: string | null;
  /** Professional title (职称), e.g. 主治医师. */
  title: string | null;
  /** 医 / 护 / 药 / 技 */
  category: StaffCategory | null;
  /** CME card number (继教卡号), issued when registration is approved. */
  cme_number: string | null;
  photo_hash: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  specialty: string | null;
  /** Highest degree (学历). */
  degree: 'secondary' | 'college' | 'bachelor' | 'master' | 'doctorate' | null;
  /** 证件类型, from the number's region code. */
  id_document: Generated<'resident' | 'hmt-permit' | 'foreign-permanent'>;
  /**
   * Self-registration (自助注册): pending until the department or unit reviews it. `external`: a
   * person from outside the province or of no registered unit (院外人员), recorded by the unit
   * whose project they attend (`institution_id`); never staff, never on a roster or in compliance.
   */
  registration_status: Generated<'pending' | 'approved' | 'rejected' | 'external'>;
  /** The workplace an external person named (工作单位); null for registered staff. */
  workplace: Generated<string | null>;
  /** SHA-256 of the secret in the registrant's status link. */
  registration_token_hash: string | null;
  submitted_at: string | null;
  reviewed_at: string | null;
  reviewed_by: string | null;
  reject_reason: string | null;
  /** The title the unit employs the person at (聘任职称), which 达标率 counts; null: as held. */
  employed_title: string | null;
  employed_title_since: string | null;
  /** The day she left (离职 / 退休 / 死亡): from then on she counts nowhere and kiosks drop her. */
  left_on: string | null;
  leaving_reason: LeavingReason | null;
  /** Since when she is in her current unit and department (null: since she was registered); earlier places are in `person_placements`. */
  placed_since: string | null;
}

/** 离职 / 退休 / 死亡 */
export const LEAVING_REASONS = ['resigned', 'retired', 'deceased'] as const;
export type LeavingReason = (typeof LEAVING_REASONS)[number];

/** Where a person was before her current place (调动 history): one closed period each. */
export interface PersonPlacementTable {
  id: string;
  person_id: string;
  institution_id: string;
  department_id: string | null;
  /** null: since she was registered. */
  from_date: string | null;
  to_date: string;
  created_at: string;
}

/** A transfer (调动) to another unit: started by the sending unit, accepted or declined by the receiving one. */
export interface TransferTable {
  id: string;
  person_id: string;
  from_institution_id: string;
  to_institution_id: string;
  /** The department the receiving unit places her in, chosen when it accepts. */
  to_department_id: string | null;
  reason: string;
  status: 'pending' | 'accepted' | 'declined';
  requested_by: string;
  requested_at: string;
  decided_by: string | null;
  decided_at: string | null;
}

export interface TitleHistoryTable {
  id: string;
  person_id: string;
  /** The title the person holds (取得职称) or the one the unit employs them at (聘任职称). */
  kind: 'held' | 'employed';
  title: string;
  from_date: string;
  to_date: string | null;
  created_at: string;
}

/** A fixed-window counter: `hits` within the window that ends at `window_ends_at`. */
export interface RateLimitTable {
  /** What is limited and for whom, e.g. `lookup:203.0.113.7` or `lookup:2001:db8:1:2::/64`. */
  key: string;
  hits: number;
  window_ends_at: string;
}

/**
 * A batch of proofs being rendered into one PDF (打印任务): the process that renders writes its
 * progress and the file here, so that whichever process a poll or the download reaches answers it.
 */
export interface PrintJobTable {
  /** An unguessable token: the page polls and downloads by it, for its owner only. */
  id: string;
  owner_user_id: string;
  file_name: string;
  total: number;
  done: number;
  pdf: Uint8Array | null;
  error: string | null;
  finished_at: string | null;
  /** The renderer's last word: a job unfinished and silent for long lost its process. */
  updated_at: string;
  expires_at: string;
}

/** Failed sign-ins of one login from one address, and when the next attempt may come. */
export interface SignInBackoffTable {
  login: string;
  address: string;
  failures: number;
  blocked_until: string;
  last_attempt_at: string;
}

/**
 * A self-registration for an ID number that is already registered: kept apart from the person's
 * record (which it must not change), answered like any registration, and shown to the unit.
 */
export interface RegistrationDuplicateTable {
  token_hash: string;
  /** The person already registered with this ID number. */
  person_id: string;
  name: string;
  institution_id: string;
  department_id: string;
  /** The portrait sent with it, for the unit to compare with the registered person's. */
  photo_hash: string;
  submitted_at: string;
}

export interface CredentialTable {
  id: string;
  person_id: string;
  kind: CredentialKind;
  /** The UID or card number; for an ID card, the blind index of the ID number. */
  value: string;
  /**
   * A lost card (挂失), a replaced one (改卡) and a cancelled one (销卡) stay on record and are
   * refused at the door (kiosks are sent each as `lost`, the deny list).
   */
  status: 'active' | 'lost' | 'replaced' | 'cancelled';
  version: number;
  created_at: string;
  /** Card issue category (发卡类别): I existing card, II new card, III replacement of a lost card. */
  issue_category: 'I' | 'II' | 'III' | null;
  lost_at: string | null;
  /** The card fee (工本费, yuan) recorded when it was issued, where the province charges one. */
  fee_yuan: number | null;
  /** When it was replaced or cancelled. */
  ended_at: string | null;
}

export interface PhotoTable {
  /** SHA-256 of the JPEG bytes: a photo is stored once however many records use it. */
  hash: string;
  width: number;
  height: number;
  jpeg: Uint8Array;
  thumb_jpeg: Uint8Array;
  created_at: string;
}

export interface ProjectTable {
  id: string;
  /** Project number (项目编号) assigned by the office. */
  number: string;
  name: string;
  level: CreditLevel;
  credit_class: CreditClass;
  credits: number;
  organiser_id: string;
  venue: string;
  starts_on: string;
  ends_on: string;
  mode: 'onsite' | 'online';
  created_at: string;
  /** Where the project stands in declaration, review and execution (see services/projects.ts). */
  status: Generated<ProjectStatus>;
  /** Which of the offices its level requires has the project now (0 = the first). */
  review_step: Generated<number>;
  /** The execution report (执行情况): summary, and whether it came after the deadline. */
  report_summary: string | null;
  report_submitted_at: string | null;
  report_late: Generated<number>;
  credits_submitted_at: string | null;
  credits_approved_at: string | null;
  credits_approved_by: string | null;
  /** When the organiser closed enrolment (报名截止); null while it is open. */
  enrolment_closed_at: Generated<string | null>;
  /** The national list's leader (负责人) and planned attendees (学员人数); none for a unit's own declaration. */
  leader: Generated<string | null>;
  planned_attendees: Generated<number | null>;
  /** The specialty (专业) the project teaches, as the organiser names it. */
  specialty: Generated<string | null>;
  /** 项目废止: when, by whom and why a project was cancelled (status `cancelled`). */
  cancel_reason: Generated<string | null>;
  cancelled_at: Generated<string | null>;
  cancelled_by: Generated<string | null>;
  /** When the declaration was (last) submitted for review. */
  submitted_at: Generated<string | null>;
  /** The execution report's own review (执行情况逐级审核): null before a report; and the office it waits for. */
  report_status: Generated<'pending' | 'returned' | 'approved' | null>;
  report_review_step: Generated<number>;
}

export type { ProjectStatus };

/** A course (课程) of a project: its own time and credits; each approved attendee earns them once. */
export interface CourseTable {
  id: string;
  project_id: string;
  name: string;
  starts_at: string;
  ends_at: string;
  credits: number;
  created_at: string;
}

/** Every state change of a project: who, when, from what to what, and why. */
export interface ProjectEventTable {
  id: string;
  project_id: string;
  /** declare / submit / approve / reject / report / submit-credits / approve-credits / reject-credits */
  action: string;
  from_status: ProjectStatus | null;
  to_status: ProjectStatus;
  reason: string | null;
  actor_user_id: string;
  at: string;
}

export interface ProjectAttachmentTable {
  id: string;
  project_id: string;
  /** 办班通知 / 日程安排 with the declaration, or an attachment of the execution report. */
  kind: Generated<ProjectFileKind>;
  name: string;
  content_type: string;
  bytes: Uint8Array;
  created_at: string;
}

/** A province's settings for projects and attendance (each province sets its own). */
export interface ProvinceSettingsTable {
  province_id: string;
  /** Declared at least this many days before the project starts (usually 14). */
  project_lead_days: number;
  /** The execution report is due this many days after the project ends (usually 14). */
  report_days: number;
  /** `AttendanceRules` of core, as JSON. */
  attendance_rules: string;
  updated_at: string;
  /** `ProxyRules` of core, as JSON; null: the defaults. */
  proxy_rules: string | null;
  /** `CardFees` of core, as JSON: yuan per issue category; null: the province charges none of its own. */
  card_fees: string | null;
  /** Deadlines in days after the project's end: credits submitted (学分上报), offices' review (审核); null: the defaults. */
  credits_days: Generated<number | null>;
  review_days: Generated<number | null>;
  /** JSON list of the files a declaration must carry (`DeclarationFileKind`s); null: none. */
  declaration_files: Generated<string | null>;
}

/** A device's clock offset per page load (boot), estimated at each push. */
export interface DeviceClockTable {
  device_id: string;
  boot_id: string;
  /** Device wall clock minus server clock, in ms, at the latest push of this boot. */
  offset_ms: number;
  /** When the clock was seen to jump (set by hand, NTP step): its times are estimates. */
  jumped_at: string | null;
  samples: number;
  updated_at: string;
}

/** Pass or fail of a person in a project's assessment (考核); both attendance and a pass earn credit. */
export interface AssessmentResultTable {
  project_id: string;
  person_id: string;
  passed: number;
  score: number | null;
  recorded_by: string;
  recorded_at: string;
}

/** The credits an organiser submitted per course and person, frozen for the reviewer. */
export interface CreditAwardTable {
  course_id: string;
  person_id: string;
  project_id: string;
  credits: number;
  cme_year: number;
}

/** One sitting of a project at a venue (场次), the unit a kiosk records. */
export interface SessionTable {
  id: string;
  project_id: string;
  title: string;
  venue: string;
  starts_at: string;
  ends_at: string;
  created_at: string;
  /** The course this sitting teaches; null for sessions entered before courses existed. */
  course_id: string | null;
}

export interface DeviceTable {
  id: string;
  name: string;
  institution_id: string;
  /** SHA-256 of the device token; the token itself is only ever held by the kiosk. */
  token_hash: string | null;
  /** SHA-256 of the one-time pairing code (配对码) and when it stops working. */
  pairing_code_hash: string | null;
  pairing_expires_at: string | null;
  paired_at: string | null;
  revoked_at: string | null;
  last_seen_at: string | null;
  created_at: string;
  /**
   * The kiosk's roster key (32 bytes that name ID cards in its roster by HMAC), encrypted under the
   * ID-number key; made at pairing, dropped at re-pairing and revocation.
   */
  roster_key_enc: string | null;
  roster_key_id: string | null;
  /** When the kiosk showed it holds the key; until then `sync.pull` sends it again. */
  roster_key_acked_at: string | null;
  /** Where the door stands (e.g. 门诊楼东门), if its unit said: a sign-out at a door elsewhere is suspect. */
  place: string | null;
}

export interface DeviceSessionTable {
  device_id: string;
  session_id: string;
  created_at: string;
}

export interface TapTable {
  tap_id: string;
  /** The device whose token pushed the tap (the authenticated one). */
  device_id: string;
  /** The device the tap itself names; differs from `device_id` only in a flagged tap. */
  claimed_device_id: string;
  seq: number;
  session_id: string;
  credential_kind: CredentialKind;
  /** As presented, except an ID number, which is kept as its blind index. */
  credential_value: string;
  /** The person the server resolved the credential to, or null. */
  person_id: string | null;
  kiosk_person_id: string | null;
  wall_time: string;
  mono_time: number;
  boot_id: string;
  source: string;
  direction: string;
  status: 'accepted' | 'flagged';
  /** Comma-separated FlagReason values. */
  flag_reasons: string | null;
  received_at: string;
  /** The tap's instant on the server's clock (the wall time corrected by the device's offset). */
  at: string | null;
  /** 1 when the device's wall clock jumped and `at` was placed by its monotonic clock. */
  clock_jumped: Generated<number>;
  /** The signed chain the tap names (tap_chains.id), its predecessor's hash and its signature; null for an unchained tap. */
  chain_id: string | null;
  chain_prev_hash: string | null;
  /** Hex SHA-256 of the tap's canonical encoding, set only when its signature verified under the chain's key. */
  chain_hash: string | null;
  chain_signature: string | null;
  /** Hex SHA-256 of the credential's value as the kiosk sent it: what the signature covers (an ID card's value is kept only blinded). */
  credential_digest: string | null;
}

/** A device's signed tap chain (刷卡记录链), one per pairing; its state kept as taps arrive. */
export interface TapChainTable {
  id: string;
  device_id: string;
  /** The chain's public key as a JWK (ECDSA P-256), registered at pairing. */
  public_key: string;
  started_at: string;
  ended_at: string | null;
  /** Why the chain ended: 're-paired' (a new pairing began another) or 'revoked'. */
  end_reason: 're-paired' | 'revoked' | null;
  /** Every seq from 1 through this is present once, validly signed and linked. */
  complete_through: Generated<number>;
  last_seq: Generated<number>;
  tap_count: Generated<number>;
}

/** Sign-in and sign-out of a person in a session, recomputed from all taps whenever one arrives. */
export interface AttendanceTable {
  session_id: string;
  person_id: string;
  sign_in_at: string | null;
  sign_out_at: string | null;
  tap_count: number;
  updated_at: string;
  status: Generated<'complete' | 'incomplete' | 'absent'>;
  presence_minutes: Generated<number>;
  /** Comma-separated `Shortfall` values of core. */
  shortfalls: Generated<string>;
  /** 1 when a tap of the person was flagged or placed by a jumped clock: a reviewer should look. */
  flagged: Generated<number>;
  /** An organiser's correction (audited): used instead of the taps' times while set. */
  corrected_sign_in_at: string | null;
  corrected_sign_out_at: string | null;
  correction_reason: string | null;
  corrected_by: string | null;
  corrected_at: string | null;
  /** Voided by a reviewer who confirmed a proxy-tap (代刷) alert (audited): counts as absent. */
  voided_at: string | null;
  void_reason: string | null;
  voided_by: string | null;
  /** The earliest and latest accepted tap inside the tap window: what new taps fold into (repositories/attendance.ts). */
  window_first_at: Generated<string | null>;
  window_last_at: Generated<string | null>;
  /** The tap window ('opensAt/closesAt') that state was kept for; null for a row written without it (recomputed from its taps first). */
  tap_window: Generated<string | null>;
}

/** A person's credits of a CME year, summed from the ledger and kept with every entry appended (repositories/ledger.ts). */
export interface CreditTotalTable {
  person_id: string;
  cme_year: number;
  class_i: number;
  class_ii: number;
  national: number;
  months: number;
}

export interface UserTable {
  id: string;
  login: string;
  display_name: string;
  /** scrypt$N$r$p$salt$hash */
  password_hash: string;
  role: Role;
  /** The root of the part of the organisation tree this account may see and change. */
  organisation_id: string;
  created_at: string;
  /** An initial password must be changed at first sign-in (as ICME does). */
  must_change_password: Generated<number>;
  /** The person an administrator's account belongs to, where they are staff too (a staff account's is in staff_accounts). */
  person_id: string | null;
}

/** The password a registrant chose, until approval makes it her account's. */
export interface RegistrantPasswordTable {
  person_id: string;
  /** scrypt, as users.password_hash */
  password_hash: string;
  set_at: string;
}

/** A one-time code (一次性验证码) to set a new password: 24 hours, single use, kept as a scrypt hash. */
export interface PasswordResetCodeTable {
  id: string;
  user_id: string;
  code_hash: string;
  /** How the code reached its owner (`in-person` today; SMS or WeChat later). */
  channel: string;
  issued_by: string;
  issued_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface AuthSessionTable {
  token_hash: string;
  user_id: string;
  expires_at: string;
  created_at: string;
  /** Set when the session was opened with a reset code: it may only set a new password. */
  reset_code_id: string | null;
}

/** Who did what to which record, with the record before and after (JSON). */
export interface AuditLogTable {
  id: string;
  at: string;
  actor_user_id: string | null;
  actor_device_id: string | null;
  /** e.g. `person.reveal-id-number`, `device.revoke` */
  action: string;
  entity: string;
  entity_id: string;
  /** The organisation the record belongs to, so that admins see the log of their scope only. */
  organisation_id: string | null;
  /** The acting account's organisation, where it differs from the record's (a view across units). */
  actor_organisation_id: string | null;
  before: string | null;
  after: string | null;
}

export interface CounterTable {
  name: string;
  value: number;
}

export interface Database {
  organisations: OrganisationTable;
  persons: PersonTable;
  credentials: CredentialTable;
  photos: PhotoTable;
  projects: ProjectTable;
  sessions: SessionTable;
  devices: DeviceTable;
  device_sessions: DeviceSessionTable;
  taps: TapTable;
  tap_chains: TapChainTable;
  attendance: AttendanceTable;
  users: UserTable;
  auth_sessions: AuthSessionTable;
  audit_log: AuditLogTable;
  title_history: TitleHistoryTable;
  person_placements: PersonPlacementTable;
  transfers: TransferTable;
  rate_limits: RateLimitTable;
  print_jobs: PrintJobTable;
  sign_in_backoff: SignInBackoffTable;
  registration_duplicates: RegistrationDuplicateTable;
  counters: CounterTable;
  ledger_entries: LedgerEntryTable;
  credit_totals: CreditTotalTable;
  courses: CourseTable;
  project_events: ProjectEventTable;
  project_attachments: ProjectAttachmentTable;
  province_settings: ProvinceSettingsTable;
  device_clocks: DeviceClockTable;
  assessment_results: AssessmentResultTable;
  credit_awards: CreditAwardTable;
  rule_sets: RuleSetTable;
  claims: ClaimTable;
  proofs: ProofTable;
  staff_accounts: StaffAccountTable;
  evidence_files: EvidenceFileTable;
  claim_evidence: ClaimEvidenceTable;
  claim_reviews: ClaimReviewTable;
  verification_runs: VerificationRunTable;
  verification_results: VerificationResultTable;
  verification_accepted: VerificationAcceptedTable;
  hr_tokens: HrTokenTable;
  proof_keys: ProofKeyTable;
  uploads: UploadTable;
  unit_seals: UnitSealTable;
  registrant_passwords: RegistrantPasswordTable;
  password_reset_codes: PasswordResetCodeTable;
  proxy_alerts: ProxyAlertTable;
  proxy_alert_taps: ProxyAlertTapTable;
  enrolments: EnrolmentTable;
  exchange_previews: ExchangePreviewTable;
  exchange_batches: ExchangeBatchTable;
  online_platforms: OnlinePlatformTable;
  online_watch_events: OnlineWatchEventTable;
  online_request_signatures: OnlineRequestSignatureTable;
  voided_years: VoidedYearTable;
  organiser_bars: OrganiserBarTable;
}

/** A person's CME year voided for cheating (作废年度学分): its credits were reversed, and no new ones enter while it stands. */
export interface VoidedYearTable {
  id: string;
  person_id: string;
  cme_year: number;
  reason: string;
  voided_by: string;
  voided_at: string;
}

/** An organiser barred from declaring projects (取消办班资格) from `from_date` to `until_date` (China dates, inclusive). */
export interface OrganiserBarTable {
  id: string;
  organisation_id: string;
  from_date: string;
  until_date: string;
  reason: string;
  barred_by: string;
  barred_at: string;
}

/**
 * What a proxy-tap (代刷) rule found, for the reviewers of the organiser of the session: one per
 * rule, organiser and finding (`key`, made by the rule), so that a finding made again adds its
 * new taps to the same alert.
 */
export interface ProxyAlertTable {
  id: string;
  /** A core `ProxyRuleName`. */
  rule: string;
  key: string;
  organisation_id: string;
  /** The session of the alert's first tap. */
  session_id: string;
  /** The figures that tripped the rule, as JSON. */
  params: string;
  status: Generated<'open' | 'confirmed' | 'dismissed'>;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
}

export interface ProxyAlertTapTable {
  alert_id: string;
  tap_id: string;
}

/** An enrolment (报名) of a person in a project: what lets a kiosk of another unit know them. */
export interface EnrolmentTable {
  id: string;
  project_id: string;
  person_id: string;
  /** Who enrolled them: the person herself, her unit's office, or the organiser (an external person). */
  source: 'self' | 'unit' | 'organiser';
  enrolled_by: string;
  enrolled_at: string;
  /** From the global change counter: a kiosk of a session of the project pulls the person after it. */
  version: number;
}

/**
 * A ledger entry (学分记录): credits a person earned in one CME year, from one source. Never
 * updated or deleted (the database refuses); a mistake is undone by a reversing entry whose
 * `credits` are the negative of the original and whose `reverses_id` names it.
 */
export interface LedgerEntryTable {
  id: string;
  person_id: string;
  /** The CME year the credits count for (按年度录入): never carried into another year. */
  cme_year: number;
  /** Ⅰ类 or Ⅱ类 credits. */
  credit_class: CreditClass;
  /** The level of the project (national 国家级 … unit), where the source is a project. */
  level: CreditLevel | null;
  credits: number;
  source_kind: LedgerSourceKind;
  /** The course attended, the claim, the import row, or (for a reversal) the reversed entry. */
  source_id: string;
  /** What a person reads on a proof: the project and course name, the claim's activity. */
  source_label: string;
  reverses_id: string | null;
  /** The account that approved it (null for a system import). */
  approved_by: string | null;
  approved_at: string;
  created_at: string;
}

export type LedgerSourceKind = 'attendance' | 'claim' | 'import' | 'adjustment' | 'reversal';

export type NewTap = Insertable<TapTable>;
export type TapRow = Selectable<TapTable>;
export type DeviceRow = Selectable<DeviceTable>;
export type Auto<T> = Generated<T>;

/** A version of a credit rule set (学分审验规则); `definition` is the core `RuleSet` as JSON. */
export interface RuleSetTable {
  id: string;
  /** `CN` or a province's division code. */
  region: string;
  from_year: number;
  to_year: number | null;
  definition: string;
  /** The rule set this one was copied and edited from. */
  copied_from: string | null;
  created_by: string | null;
  created_at: string;
}

/** A non-project credit claim (非项目学分申报). */
export interface ClaimTable {
  id: string;
  person_id: string;
  /** A key of the core claim catalogue (CLAIM_ACTIVITIES). */
  activity: ClaimActivityKey;
  occurred_on: string;
  cme_year: number;
  credit_class: CreditClass;
  level: LedgerEntryTable['level'];
  credits: number;
  /** Months of further study (进修); 0 for other activities. */
  months: number;
  description: string;
  /** The review stages it climbs, as JSON (e.g. ["department","unit"]). */
  chain: string;
  /** Index into `chain` of the stage that reviews it next. */
  stage: number;
  status: 'submitted' | 'approved' | 'rejected' | 'withdrawn';
  replaces_id: string | null;
  submitted_by: string;
  submitted_at: string;
  closed_at: string | null;
}

/** An issued proof (学分证明 or 电子学分证书) and the signed code its QR carries. */
export interface ProofTable {
  id: string;
  kind: 'credit-proof' | 'attendance-certificate' | 'annual-certificate';
  person_id: string;
  from_year: number;
  to_year: number;
  /** The attendance entry a certificate is for. */
  ledger_entry_id: string | null;
  code: string;
  issued_by: string;
  issued_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

/** The person record a staff account (学员账号) acts for. */
export interface StaffAccountTable {
  user_id: string;
  person_id: string;
  created_at: string;
}

/** An evidence file (证明材料) of a claim, stored once by the SHA-256 of its bytes. */
export interface EvidenceFileTable {
  hash: string;
  mime: 'image/jpeg' | 'image/png' | 'application/pdf';
  size: number;
  bytes: Uint8Array;
  created_at: string;
}

export interface ClaimEvidenceTable {
  claim_id: string;
  evidence_hash: string;
  /** The name the file had on the claimant's device. */
  file_name: string;
}

/** One reviewer's decision on a claim at one stage of its chain. */
export interface ClaimReviewTable {
  id: string;
  claim_id: string;
  stage: ReviewOffice;
  decision: 'approved' | 'rejected';
  reason: string | null;
  reviewer_id: string;
  at: string;
}

/** A unit's annual verification (学分审验) for one CME year and round. */
export interface VerificationRunTable {
  id: string;
  /** The institution (医疗机构) verified. */
  organisation_id: string;
  cme_year: number;
  /** 年中审验 (July, for promotion; intermediate titles and above) or 年终审验 (everyone). */
  round: 'mid-year' | 'year-end';
  /**
   * draft → submitted (to the city; frozen) → forwarded (by the city to the province) → accepted
   * (备案 by the province; final) or returned (退回, with a reason; the unit re-runs and submits again).
   */
  status: 'draft' | 'submitted' | 'forwarded' | 'accepted' | 'returned';
  created_by: string;
  created_at: string;
  submitted_at: string | null;
  forwarded_at: string | null;
  accepted_at: string | null;
  accepted_by: string | null;
  /** The last return: kept after the re-submission, so the history says why it came back. */
  returned_at: string | null;
  returned_by: string | null;
  return_reason: string | null;
}

/** One person's result as the province accepted it (备案): a snapshot that nothing later changes. */
export interface VerificationAcceptedTable {
  run_id: string;
  person_id: string;
  name: string;
  department: string;
  title: string | null;
  class_i: number;
  class_ii: number;
  total: number;
  compliant: number;
  basis: 'credits' | 'further-study' | 'not-met';
}

/** A token an HR system (人力资源社会保障部门) pulls accepted results with; only its SHA-256 is kept. */
export interface HrTokenTable {
  id: string;
  /** What it may read: this organisation's units (a unit, a city or the province). */
  organisation_id: string;
  label: string;
  token_hash: string;
  created_by: string;
  created_at: string;
  revoked_by: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** One person's result in a run, copied from the ledger when the run was made. */
export interface VerificationResultTable {
  run_id: string;
  person_id: string;
  department_id: string | null;
  /** The title at verification time (it can differ from the title the hospital employs them at). */
  title: string | null;
  rule_set_id: string;
  class_i: number;
  class_ii: number;
  total: number;
  compliant: number;
  basis: 'credits' | 'further-study' | 'not-met';
  explanation: string;
}

/**
 * A proof-signing key (Ed25519), public half only: the private half stays in the data folder. A
 * key signs from `not_before` until `not_after` (null while in use); a withdrawn one verifies nothing.
 */
export interface ProofKeyTable {
  /** The first 8 bytes of SHA-256 of the raw public key, in hex (what a proof names). */
  key_id: string;
  /** The raw 32-byte public key, base64url. */
  public_key: string;
  not_before: string;
  not_after: string | null;
  withdrawn_at: string | null;
  withdrawn_reason: string | null;
}

/** A file sent to POST /api/files, kept until the form that needs it is submitted (an hour at most). */
export interface UploadTable {
  /** A random id: whoever holds it may submit the file, with the owner's account where there is one. */
  id: string;
  purpose: 'photo' | 'evidence' | 'attachment' | 'seal';
  /** The account that sent it; null for the public registration photo. */
  owner_user_id: string | null;
  file_name: string;
  content_type: string;
  size: number;
  bytes: Uint8Array;
  created_at: string;
}

/** A unit's seal (公章) as a PNG, printed in the seal area of the proofs it issues; one per unit, replaced by the next upload. */
export interface UnitSealTable {
  organisation_id: string;
  png: Uint8Array;
  uploaded_by: string;
  uploaded_at: string;
}

/** An import's preview (exchange/), until it is committed or expires; only its user may commit it. */
export interface ExchangePreviewTable {
  id: string;
  kind: string;
  user_id: string;
  scope_id: string;
  /** The record the import is about, for a kind with a subject (the project of an `assessments` import). */
  subject_id: string | null;
  file_name: string;
  file_sha256: string;
  /** The rows that passed validation, as JSON: the commit plans them again and compares. */
  rows: string;
  /** SHA-256 of the plan the preview showed. */
  fingerprint: string;
  /** JSON: { create, update, unchanged, rejected }. */
  summary: string;
  /** JSON: the errors the preview showed (a commit refused for them shows them again). */
  errors: string;
  created_at: string;
  expires_at: string;
  committed_batch_id: string | null;
}

/** A committed import (导入批次): who, when, which file, what it did, and what its undo needs. */
export interface ExchangeBatchTable {
  id: string;
  kind: string;
  scope_id: string;
  subject_id: string | null;
  user_id: string;
  file_name: string;
  file_sha256: string;
  created_count: number;
  updated_count: number;
  unchanged_count: number;
  /** JSON the kind's undo reads (what the batch created and what it changed from what). */
  undo: string | null;
  created_at: string;
  undone_at: string | null;
  undone_by: string | null;
}

/** An online learning platform (线上学习平台) a unit registered, to send watch time for its online sessions. */
export interface OnlinePlatformTable {
  id: string;
  /** The unit (or office) that registered it: it may send for sessions of projects organised within it. */
  organisation_id: string;
  name: string;
  /** The HMAC key the platform signs with, encrypted under the server's key (it must be read to verify). */
  secret_enc: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** A span a person watched an online session, once per (source, event id): a platform's id, or `upload`. */
export interface OnlineWatchEventTable {
  source: string;
  event_id: string;
  session_id: string;
  person_id: string;
  starts_at: string;
  ends_at: string;
  received_at: string;
}

/** The signatures of a platform's recent requests, kept for the clock-skew window so a replay is refused. */
export interface OnlineRequestSignatureTable {
  platform_id: string;
  signature: string;
  seen_at: string;
}
