// The public lookup over HTTP: ID number and name together, masked answers, the same refusal for
// an unknown number and a wrong name, a limit per address, and every lookup in the audit log.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addPerson, credit } from './fixtures.ts';
import { startServer, type TestServer } from './harness.ts';

let server: TestServer;
let person: { id: string; idNumber: string };

beforeAll(async () => {
  server = await startServer();
  const hospital = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').executeTakeFirstOrThrow()).id;
  person = await addPerson(server, { name: '张晓梅', title: '主管护师', institutionId: hospital, departmentId: null, region: '340102' });
  await credit(server, person.id, 2025, [{ creditClass: 'I', level: 'provincial', credits: 10 }, { credits: 15 }]);
  await credit(server, person.id, 2026, [{ credits: 4.5 }]);
});
afterAll(() => server.close());

it('answers yearly totals for a matching ID number and name, masked, and logs every lookup', async () => {
  const anyone = server.client();
  const res = await anyone.lookup.credits.query({ idNumber: person.idNumber, name: '张晓梅' });
  expect(res).toEqual({
    name: '张*梅',
    idMasked: `${person.idNumber.slice(0, 3)}***********${person.idNumber.slice(-4)}`,
    institution: '合肥市第一人民医院（演示）',
    years: [
      { cmeYear: 2026, classI: 0, classII: 4.5, total: 4.5, compliant: false },
      { cmeYear: 2025, classI: 10, classII: 15, total: 25, compliant: true },
    ],
  });
  expect(JSON.stringify(res)).not.toContain(person.idNumber);

  // A wrong name and an unknown number get the same answer: existence is not revealed.
  const wrongName = anyone.lookup.credits.query({ idNumber: person.idNumber, name: '张晓' });
  await expect(wrongName).rejects.toMatchObject({ message: 'lookup.no-record-matches-id-number' });
  await expect(anyone.lookup.credits.query({ idNumber: '11010519491231002X', name: '张晓梅' })).rejects.toMatchObject({
    message: 'lookup.no-record-matches-id-number',
  });
  await expect(anyone.lookup.credits.query({ idNumber: '110105194912310021', name: '张晓梅' })).rejects.toMatchObject({
    message: 'lookup.id-number-not-valid-check',
    data: { messageKey: 'lookup.id-number-not-valid-check' },
  });

  const log = await server.db
    .selectFrom('audit_log')
    .select(['entity_id', 'after'])
    .where('action', '=', 'public.lookup')
    .orderBy('at')
    .orderBy('id')
    .execute();
  expect(log.map((l) => [l.entity_id, (JSON.parse(l.after!) as { found: boolean }).found])).toEqual([
    [person.id, true],
    ['', false],
    ['', false],
  ]);
});

it('refuses an address that has used up its lookups, saying when to try again', async () => {
  const anyone = server.client();
  // Four lookups above; six more are allowed in the window, the eleventh is not.
  for (let i = 0; i < 6; i++) await anyone.lookup.credits.query({ idNumber: person.idNumber, name: '张晓梅' });
  await expect(anyone.lookup.credits.query({ idNumber: person.idNumber, name: '张晓梅' })).rejects.toMatchObject({
    data: { code: 'TOO_MANY_REQUESTS', messageKey: 'rate-limit.lookups.minutes', params: { minutes: 10 } },
  });
  // The window slides: ten minutes later the address may ask again.
  server.clock.now = new Date(server.clock.now.getTime() + 10 * 60_000 + 1);
  await expect(anyone.lookup.credits.query({ idNumber: person.idNumber, name: '张晓梅' })).resolves.toMatchObject({ name: '张*梅' });
});
