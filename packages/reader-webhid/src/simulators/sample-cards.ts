// Synthetic cards for demos and tests, one of each kind. The names say they are samples; the
// numbers are specimen numbers from the standards, not anyone's.
import type { ForeignPermanentIdentity, HmtPermitIdentity, ResidentIdentity } from '../identity.ts';

/** The card of readers.md TV-11; the ID number is GB 11643's own example. */
export const SAMPLE_RESIDENT: ResidentIdentity = {
  kind: 'resident',
  name: '测试样本',
  genderCode: '1',
  nationCode: '01',
  birthDate: '1949-12-31',
  address: '北京市东城区测试路1号',
  idNumber: '11010519491231002X',
  authority: '北京市公安局东城分局',
  validFrom: '2020-01-01',
  validTo: null,
};

export const SAMPLE_HMT_PERMIT: HmtPermitIdentity = {
  kind: 'hmt-permit',
  name: '港澳样本',
  genderCode: '2',
  nationCode: '',
  birthDate: '1990-01-01',
  address: '广东省深圳市福田区测试路2号',
  idNumber: '810000199001010027',
  authority: '深圳市公安局',
  validFrom: '2019-01-01',
  validTo: '2024-01-01',
  passNumber: 'H00000000',
  issueCount: 1,
};

/** Specimen number of the old card, as vendors' demo code prints it. */
export const SAMPLE_FOREIGN_OLD: ForeignPermanentIdentity = {
  kind: 'foreign-permanent',
  edition: 'old',
  englishName: 'SAMPLE, TEST',
  chineseName: '外国样本',
  genderCode: '1',
  permitNumber: 'PAK310080010103',
  nationality: 'PAK',
  birthDate: '1980-01-01',
  validFrom: '2015-01-01',
  validTo: '2025-01-01',
};

/** The 2023 card's specimen number (931586198001010028). */
export const SAMPLE_FOREIGN_2023: ForeignPermanentIdentity = {
  kind: 'foreign-permanent',
  edition: '2023',
  englishName: 'SPECIMEN, SAMPLE TEST',
  chineseName: '证件样本',
  genderCode: '2',
  permitNumber: '931586198001010028',
  nationality: 'CAN',
  birthDate: '1980-01-01',
  validFrom: '2023-08-08',
  validTo: '2033-08-07',
};
