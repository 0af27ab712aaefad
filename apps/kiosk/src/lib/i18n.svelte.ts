// zh-CN is the interface's default language; English is the second. Every message exists in
// both (the type makes a missing English text a compile error).

const zh = {
  'app.title': 'OpenCME 继续医学教育',
  'app.kiosk': '签到机',
  'app.admin': '管理',
  'app.language': 'English',
  'home.intro': '离线可用的继续医学教育签到与学分系统。',
  'pair.title': '配对签到机',
  'pair.help': '请输入管理员在“设备”页面生成的配对码。',
  'pair.code': '配对码',
  'pair.submit': '配对',
  'pair.offline': '配对需要联网。',
  'session.choose': '选择场次',
  'session.none': '这台签到机还没有分配场次，请联系管理员。',
  'session.change': '更换场次',
  'tap.signIn': '签到',
  'tap.signOut': '签退',
  'tap.waiting': '请刷卡',
  'tap.waitingHelp': '将身份证或继教IC卡放在读卡器上，或在下方输入卡号',
  'tap.unknown': '未登记的卡',
  'tap.unknownHelp': '已记录，待管理员核实',
  'tap.lost': '此卡已挂失',
  'tap.lostHelp': '已记录，请联系管理员',
  'tap.manual': '手工录入卡号',
  'tap.manualSubmit': '录入',
  'tap.manualEmpty': '请输入卡号',
  'tap.already': '已签到',
  'tap.alreadyHelp': '无需重复刷卡，离场时请再刷卡签退',
  'tap.outside': '不在本场次刷卡时间内',
  'tap.outsideHelp': '已记录，不计考勤。刷卡时间',
  'tap.provisionalPass': '在场 {minutes} 分钟，符合学分要求（待审核）',
  'tap.provisionalFail': '在场 {minutes} 分钟，未达到学分要求',
  'demo.reader': '演示读卡器',
  'demo.placeCard': '刷一张IC卡',
  'demo.choose': '选择持卡人',
  'status.online': '在线',
  'status.offline': '离线',
  'status.pending': '待上传',
  'status.oldest': '最早一条',
  'status.lastSync': '上次同步',
  'status.never': '从未',
  'status.device': '设备',
  'admin.login': '管理员登录',
  'admin.loginName': '用户名',
  'admin.password': '密码',
  'admin.signIn': '登录',
  'admin.signOut': '退出',
  'admin.sessions': '场次',
  'admin.devices': '设备',
  'admin.project': '项目',
  'admin.time': '时间',
  'admin.venue': '地点',
  'admin.taps': '刷卡记录',
  'admin.attendees': '签到人数',
  'admin.attendance': '签到签退',
  'admin.name': '姓名',
  'admin.department': '科室',
  'admin.cmeNumber': '继教卡号',
  'admin.signInAt': '签到时间',
  'admin.signOutAt': '签退时间',
  'admin.tapCount': '刷卡次数',
  'admin.direction': '结果',
  'admin.device': '设备',
  'admin.status': '状态',
  'admin.accepted': '正常',
  'admin.flagged': '待核实',
  'admin.back': '返回',
  'admin.newDevice': '新建签到机',
  'admin.deviceName': '设备名称',
  'admin.create': '创建',
  'admin.pairingCode': '配对码（24小时内有效，只能使用一次）',
  'admin.paired': '已配对',
  'admin.unpaired': '待配对',
  'admin.revoked': '已停用',
  'admin.revoke': '停用',
  'admin.repair': '重新配对',
  'admin.assign': '分配到场次',
  'admin.lastSeen': '最近同步',
  'admin.none': '暂无',
  'error.generic': '出错了，请重试',
} as const;

type Key = keyof typeof zh;

const en: Record<Key, string> = {
  'app.title': 'OpenCME Continuing Medical Education',
  'app.kiosk': 'Kiosk',
  'app.admin': 'Admin',
  'app.language': '中文',
  'home.intro': 'Offline-first CME attendance and credits.',
  'pair.title': 'Pair this kiosk',
  'pair.help': 'Enter the pairing code an administrator created on the Devices page.',
  'pair.code': 'Pairing code',
  'pair.submit': 'Pair',
  'pair.offline': 'Pairing needs the network.',
  'session.choose': 'Choose a session',
  'session.none': 'No session is assigned to this kiosk yet: ask an administrator.',
  'session.change': 'Change session',
  'tap.signIn': 'Signed in',
  'tap.signOut': 'Signed out',
  'tap.waiting': 'Please tap your card',
  'tap.waitingHelp': 'Place an ID card or CME IC card on the reader, or type a card number below',
  'tap.unknown': 'Unknown card',
  'tap.unknownHelp': 'Recorded for an administrator to check',
  'tap.lost': 'This card was reported lost',
  'tap.lostHelp': 'Recorded: please see an administrator',
  'tap.manual': 'Type a card number',
  'tap.manualSubmit': 'Record',
  'tap.manualEmpty': 'Enter a card number',
  'tap.already': 'Already signed in',
  'tap.alreadyHelp': 'No need to tap again: tap when you leave to sign out',
  'tap.outside': 'Outside this session\'s tapping time',
  'tap.outsideHelp': 'Recorded, not counted. Tapping time',
  'tap.provisionalPass': 'Present {minutes} min: meets the credit requirement (pending review)',
  'tap.provisionalFail': 'Present {minutes} min: does not meet the credit requirement',
  'demo.reader': 'Demo reader',
  'demo.placeCard': 'Tap an IC card',
  'demo.choose': 'Choose a card holder',
  'status.online': 'Online',
  'status.offline': 'Offline',
  'status.pending': 'Pending',
  'status.oldest': 'oldest',
  'status.lastSync': 'Last sync',
  'status.never': 'never',
  'status.device': 'Device',
  'admin.login': 'Administrator sign-in',
  'admin.loginName': 'Login',
  'admin.password': 'Password',
  'admin.signIn': 'Sign in',
  'admin.signOut': 'Sign out',
  'admin.sessions': 'Sessions',
  'admin.devices': 'Devices',
  'admin.project': 'Project',
  'admin.time': 'Time',
  'admin.venue': 'Venue',
  'admin.taps': 'Taps',
  'admin.attendees': 'Attendees',
  'admin.attendance': 'Sign-in and sign-out',
  'admin.name': 'Name',
  'admin.department': 'Department',
  'admin.cmeNumber': 'CME card no.',
  'admin.signInAt': 'Signed in',
  'admin.signOutAt': 'Signed out',
  'admin.tapCount': 'Taps',
  'admin.direction': 'Result',
  'admin.device': 'Device',
  'admin.status': 'Status',
  'admin.accepted': 'OK',
  'admin.flagged': 'To check',
  'admin.back': 'Back',
  'admin.newDevice': 'New kiosk',
  'admin.deviceName': 'Device name',
  'admin.create': 'Create',
  'admin.pairingCode': 'Pairing code (valid 24 hours, once)',
  'admin.paired': 'Paired',
  'admin.unpaired': 'Waiting to pair',
  'admin.revoked': 'Revoked',
  'admin.revoke': 'Revoke',
  'admin.repair': 'Pair again',
  'admin.assign': 'Assign to session',
  'admin.lastSeen': 'Last sync',
  'admin.none': 'None',
  'error.generic': 'Something went wrong: please try again',
};

export type Locale = 'zh-CN' | 'en';
const STORAGE_KEY = 'opencme.locale';

export const i18n = $state<{ locale: Locale }>({
  locale: typeof localStorage !== 'undefined' && localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN',
});

export function t(key: Key): string {
  return i18n.locale === 'en' ? en[key] : zh[key];
}

export function toggleLocale(): void {
  i18n.locale = i18n.locale === 'en' ? 'zh-CN' : 'en';
  localStorage.setItem(STORAGE_KEY, i18n.locale);
  document.documentElement.lang = i18n.locale;
}

/** The message of a server error in the user's language (the server sends both). */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) {
    const data = (error as { data?: { messageEn?: string | null } }).data;
    if (i18n.locale === 'en' && data?.messageEn) return data.messageEn;
    if (error instanceof TypeError) return i18n.locale === 'en' ? 'The server cannot be reached' : '无法连接服务器';
    return String((error as { message: unknown }).message);
  }
  return t('error.generic');
}

/** A time of day as the people at the door read it: 09:02. */
export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString(i18n.locale, { hour: '2-digit', minute: '2-digit', hour12: false });
}
