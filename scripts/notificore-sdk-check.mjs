#!/usr/bin/env node
// Runs Notificore's published, generated JavaScript SDK (bsgworld/js-sdk, One-API 2.0) against the
// sandbox's Notificore emulator, and checks every answer against what the vendor documents
// (docs/providers/notificore.md, "Checked against the vendor's generated SDK").
//
//   node scripts/notificore-sdk-check.mjs <built SDK folder> [--markdown]
//
// The SDK is another project's code: build it outside this repository (its package.json `main`
// must point at the CommonJS build, with axios installed next to it) and pass its folder. This
// script only uses it as a client. One line per call: the SDK method, the request as the SDK sent
// it (method, path, query; never the api key or the bearer, phone values masked), the status and
// whether the answer is what the docs say. Exit 1 when any call gets an answer the docs rule out.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const markdown = args.includes('--markdown');
const sdkArg = args.find((arg) => !arg.startsWith('--'));
if (!sdkArg) {
  process.stderr.write(
    'usage: node scripts/notificore-sdk-check.mjs <built SDK folder> [--markdown]\n',
  );
  process.exit(2);
}
const sdkDir = resolve(sdkArg);
const requireSdk = createRequire(join(sdkDir, 'package.json'));
const sdk = requireSdk(sdkDir);
const axios = requireSdk('axios');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { serveEmulators, createNotificoreEmulator } = await loadSandbox();

// A clock the check moves, so that creation dates differ and date searches have an answer to check.
let clock = Date.parse('2026-01-05T10:00:00Z');
const day = 24 * 60 * 60 * 1000;
const apiKey = `test_${randomBytes(12).toString('hex')}`;
const emulator = createNotificoreEmulator({ apiKey, now: () => new Date(clock) });
const server = await serveEmulators({ emulators: { notificore: emulator } });
const basePath = server.baseUrl('notificore');

// Every request the SDK sends goes through this axios instance: the interceptor records it.
const http = axios.create();
let sent = [];
http.interceptors.request.use((config) => {
  sent.push({ method: String(config.method).toUpperCase(), url: http.getUri(config) });
  return config;
});

let bearer;
const configuration = new sdk.Configuration({ basePath, accessToken: () => bearer });
const auth = new sdk.AuthApi(configuration, basePath, http);
const contactsApi = new sdk.ContactApi(configuration, basePath, http);
const listsApi = new sdk.ContactListApi(configuration, basePath, http);
const fieldsApi = new sdk.ContactFieldApi(configuration, basePath, http);
const stopApi = new sdk.StopListApi(configuration, basePath, http);

const results = [];

/** Calls the SDK, then `expect(answer)` gives what is wrong with the answer, or nothing. */
async function check(method, note, call, expect) {
  sent = [];
  let answer;
  try {
    const response = await call();
    answer = { status: response.status, data: response.data };
  } catch (error) {
    // An axios error carries the request's headers (the bearer): rethrow only what went wrong.
    if (!error.response) throw new Error(`${method} (${note}): ${error.code ?? error.message}`);
    answer = { status: error.response.status, data: error.response.data };
  }
  const problem = expect(answer) ?? undefined;
  const result = {
    method,
    note,
    request: sent.map(describe).join(' + ') || '(none)',
    status: answer.status,
    ok: !problem,
    problem,
  };
  results.push(result);
  if (!markdown) {
    const verdict = result.ok ? 'ok  ' : 'FAIL';
    process.stdout.write(
      `${verdict} ${method} — ${result.request} → ${result.status} — ${note}${problem ? ` — ${problem}` : ''}\n`,
    );
  }
  return answer;
}

/** `GET /api/contacts/search?search[field]=phone&…`, decoded, phone values masked. */
function describe({ method, url }) {
  const parsed = new URL(url);
  const path = parsed.pathname.slice(new URL(basePath).pathname.length);
  const phoneKeys = new Set();
  for (const [key, value] of parsed.searchParams) {
    if (key.endsWith('[field]') && value === 'phone')
      phoneKeys.add(key.replace('[field]', '[value]'));
  }
  const query = [...parsed.searchParams]
    .map(([key, value]) => `${key}=${phoneKeys.has(key) ? '<phone>' : value}`)
    .join('&');
  return `${method} ${path}${query ? `?${query}` : ''}`;
}

// ——— expectations ———
const statusIs =
  (...wanted) =>
  (more) =>
  ({ status, data }) =>
    wanted.includes(status)
      ? more?.(data)
      : `expected ${wanted.join('/')}, got ${status} ${JSON.stringify(data)?.slice(0, 120)}`;
const is200 = statusIs(200);
const is201 = statusIs(201);
const is204 = statusIs(204);
const refused = (message) =>
  statusIs(422)((data) =>
    message && data?.message !== message
      ? `expected "${message}", got "${data?.message}"`
      : undefined,
  );
const sameIds = (got, want, ordered = false) => {
  const a = ordered ? got : [...got].sort((x, y) => x - y);
  const b = ordered ? want : [...want].sort((x, y) => x - y);
  return JSON.stringify(a) === JSON.stringify(b)
    ? undefined
    : `expected ids ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
};
const idsOf = (data) => (data?.data ?? []).map((item) => item.id);
const findsIds = (want, ordered) => is200((data) => sameIds(idsOf(data), want, ordered));
const fieldValue = (contact, id) => {
  const fields = contact?.fields;
  if (Array.isArray(fields)) {
    const item = fields.find((entry) => Number(entry.id ?? entry.code) === id);
    return item?.value ?? item?.text;
  }
  return fields?.[String(id)];
};
const groupIdsOf = (contact) => (contact?.groups ?? []).map((group) => group.id).sort();

const { SearchOperator: Op, SortWay } = sdk;

try {
  // ——— AuthApi ———
  const login = await check(
    'AuthApi.login',
    'api key for a bearer',
    () => auth.login({ api_key: apiKey }),
    is200((data) => (typeof data?.bearer === 'string' ? undefined : 'no bearer')),
  );
  bearer = login.data.bearer;
  const refreshed = await check(
    'AuthApi.refreshToken',
    'a fresh bearer',
    () => auth.refreshToken(),
    is200((data) => (typeof data?.bearer === 'string' ? undefined : 'no bearer')),
  );
  bearer = refreshed.data.bearer;

  // ——— ContactFieldApi ———
  await check(
    'ContactFieldApi.contactFields',
    'the account fields, no pagination',
    () => fieldsApi.contactFields(),
    is200((data) => (Array.isArray(data?.data) && data.data.length ? undefined : 'no fields')),
  );
  const fieldNamed = async (name) =>
    (await fieldsApi.contactFields()).data.data.find((field) => field.name === name);
  const firstName = (await fieldNamed('First name')).id;
  const birthday = (await fieldNamed('Birthday')).id;
  const scoreField = await check(
    'ContactFieldApi.contactFieldCreate',
    'type number (SDK enum)',
    () => fieldsApi.contactFieldCreate({ name: 'Score', type: sdk.ContactFieldType.Number }),
    is201((data) => (data?.data?.type === 'number' ? undefined : `type ${data?.data?.type}`)),
  );
  const score = scoreField.data.data.id;
  const nickname = await check(
    'ContactFieldApi.contactFieldCreate',
    'type text, description, is_visible false',
    () =>
      fieldsApi.contactFieldCreate({
        name: 'Nickname',
        type: sdk.ContactFieldType.Text,
        description: 'what friends say',
        is_visible: false,
      }),
    is201((data) =>
      data?.data?.is_visible === false && data.data.description === 'what friends say'
        ? undefined
        : 'description or is_visible not kept',
    ),
  );
  const legacyType = await check(
    'ContactFieldApi.contactFieldCreate',
    "type 'datetime' (the docs' request-table spelling, unconfirmed: taken as date)",
    () => fieldsApi.contactFieldCreate({ name: 'Joined', type: 'datetime' }),
    is201((data) => (data?.data?.type === 'date' ? undefined : `type ${data?.data?.type}`)),
  );
  await check(
    'ContactFieldApi.contactFieldUpdate',
    'PATCH description',
    () => fieldsApi.contactFieldUpdate(score, { description: 'points' }),
    is200((data) =>
      data?.data?.description === 'points' && data.data.name === 'Score'
        ? undefined
        : 'not updated',
    ),
  );
  await check(
    'ContactFieldApi.contactFieldUpdate',
    'PATCH name and is_visible',
    () =>
      fieldsApi.contactFieldUpdate(legacyType.data.data.id, {
        name: 'Joined on',
        is_visible: false,
      }),
    is200((data) =>
      data?.data?.name === 'Joined on' && data.data.is_visible === false
        ? undefined
        : 'not updated',
    ),
  );
  await check(
    'ContactFieldApi.postContactsFieldsDelete',
    '{ ids } (≤ 30)',
    () =>
      fieldsApi.postContactsFieldsDelete({ ids: [nickname.data.data.id, legacyType.data.data.id] }),
    is204(),
  );
  await check(
    'ContactFieldApi.contactFields',
    'the deleted fields are gone',
    () => fieldsApi.contactFields(),
    is200((data) =>
      data.data.some((field) => ['Nickname', 'Joined on'].includes(field.name))
        ? 'a deleted field is still listed'
        : undefined,
    ),
  );

  // ——— ContactListApi: create, read, update ———
  await check(
    'ContactListApi.contactLists',
    'page[offset], page[limit]',
    () => listsApi.contactLists(0, 20),
    is200((data) => (typeof data?.total === 'number' ? undefined : 'no total')),
  );
  const first = await check(
    'ContactListApi.contactListCreate',
    'name, description, default',
    () =>
      listsApi.contactListCreate({
        name: 'SDK first',
        description: 'the first list',
        default: false,
      }),
    is201((data) => (data?.data?.name === 'SDK first' ? undefined : 'name not kept')),
  );
  const listOne = first.data.data.id;
  clock += day;
  const second = await check(
    'ContactListApi.contactListCreate',
    'name only',
    () => listsApi.contactListCreate({ name: 'SDK second' }),
    is201(),
  );
  const listTwo = second.data.data.id;
  await check(
    'ContactListApi.contactListCreate',
    'a name already used',
    () => listsApi.contactListCreate({ name: 'SDK first' }),
    refused('Contact group is already exists'),
  );
  const listTwoBody = await check(
    'ContactListApi.contactList',
    'by id',
    () => listsApi.contactList(listTwo),
    is200((data) => (data?.data?.id === listTwo ? undefined : 'another list')),
  );
  await check(
    'ContactListApi.contactListUpdate',
    'PUT name and description',
    () =>
      listsApi.contactListUpdate(listTwo, { name: 'SDK second', description: 'the second list' }),
    is200((data) => (data?.data?.description === 'the second list' ? undefined : 'not updated')),
  );

  // ——— ContactApi: create (groups in both shapes), read, update ———
  clock -= day;
  const annPhone = 33600000001;
  const ann = await check(
    'ContactApi.contactCreate',
    'groups as the SDK types them: [{ id }]',
    () =>
      contactsApi.contactCreate({
        phone: annPhone,
        groups: [{ id: listOne }],
        fields: [
          { id: firstName, value: 'Ann' },
          { id: score, value: '10' },
          { id: birthday, value: '1990-01-02' },
        ],
      }),
    is201((data) => sameIds(groupIdsOf(data?.data), [listOne])),
  );
  const annId = ann.data.data.id;
  const bob = await check(
    'ContactApi.contactCreate',
    'groups as plain ids (the docs)',
    () =>
      contactsApi.contactCreate({
        phone: 33600000002,
        groups: [listOne, listTwo],
        fields: [
          { id: firstName, value: 'Bob' },
          { id: score, value: '20' },
        ],
      }),
    is201((data) => sameIds(groupIdsOf(data?.data), [listOne, listTwo])),
  );
  const bobId = bob.data.data.id;
  clock += day;
  const cyd = await check(
    'ContactApi.contactCreate',
    'groups as whole list objects, as contactList answers them',
    () =>
      contactsApi.contactCreate({
        phone: 33700000003,
        groups: [listTwoBody.data.data],
        fields: [
          { id: firstName, value: 'Cyd' },
          { id: score, value: '30' },
        ],
      }),
    is201((data) => sameIds(groupIdsOf(data?.data), [listTwo])),
  );
  const cydId = cyd.data.data.id;
  const dee = await check(
    'ContactApi.contactCreate',
    'no groups',
    () => contactsApi.contactCreate({ phone: 33700000004, fields: [{ id: score, value: '40' }] }),
    is201(),
  );
  const deeId = dee.data.data.id;
  await check(
    'ContactApi.contactCreate',
    'a phone already in the book',
    () => contactsApi.contactCreate({ phone: 33700000004 }),
    refused('Phone number is already exist in contact book'),
  );
  await check(
    'ContactApi.contactCreate',
    'a list that does not exist, as an object',
    () => contactsApi.contactCreate({ phone: 33700000009, groups: [{ id: 999 }] }),
    statusIs(422)(),
  );
  await check(
    'ContactApi.contact',
    'by id',
    () => contactsApi.contact(bobId),
    is200((data) => (fieldValue(data?.data, firstName) === 'Bob' ? undefined : 'fields not kept')),
  );
  await check(
    'ContactApi.contact',
    'an id that does not exist',
    () => contactsApi.contact(1),
    refused('Invalid contact id'),
  );
  // The whole contact, as the library writes it: a new phone, every field, lists as objects.
  const annNewPhone = 33600000011;
  await check(
    'ContactApi.contactUpdate',
    'PUT the whole contact, new phone, groups as [{ id }]',
    () =>
      contactsApi.contactUpdate(annId, {
        phone: annNewPhone,
        groups: [{ id: listOne }],
        fields: [
          { id: firstName, value: 'Ann' },
          { id: score, value: '15' },
          { id: birthday, value: '1990-01-02' },
        ],
      }),
    is200((data) =>
      data?.data?.phone === annNewPhone && fieldValue(data.data, score) === '15'
        ? sameIds(groupIdsOf(data.data), [listOne])
        : 'phone or fields not written',
    ),
  );
  await check(
    'ContactApi.contactUpdate',
    'PUT groups as plain ids',
    () =>
      contactsApi.contactUpdate(deeId, {
        phone: 33700000004,
        groups: [],
        fields: [{ id: score, value: '40' }],
      }),
    is200((data) => sameIds(groupIdsOf(data?.data), [])),
  );
  await check(
    'ContactApi.contactUpdate',
    'PUT without phone (the docs require it)',
    () => contactsApi.contactUpdate(deeId, { fields: [{ id: score, value: '41' }] }),
    statusIs(422)(),
  );
  await check(
    'ContactApi.contactUpdate',
    "another contact's phone",
    () => contactsApi.contactUpdate(deeId, { phone: 33700000003 }),
    refused('Phone number is already exist in contact book'),
  );
  await check(
    'ContactApi.contacts',
    'page[offset], page[limit]',
    () => contactsApi.contacts(0, 15),
    is200((data) =>
      data?.total === 4
        ? sameIds(idsOf(data), [annId, bobId, cydId, deeId])
        : `total ${data?.total}`,
    ),
  );
  await check(
    'ContactApi.contacts',
    'groups[] filter',
    () => contactsApi.contacts(0, 15, [listTwo]),
    findsIds([bobId, cydId]),
  );
  await check(
    'ContactApi.contacts',
    'page[offset]=2',
    () => contactsApi.contacts(2, 15),
    is200((data) =>
      data?.total === 4 ? sameIds(idsOf(data), [cydId, deeId]) : `total ${data?.total}`,
    ),
  );

  // ——— ContactApi.contactsSearch: every documented operator, field, sort and way ———
  const all = [annId, bobId, cydId, deeId];
  const search = (note, params, want, ordered) =>
    check(
      'ContactApi.contactsSearch',
      note,
      () =>
        contactsApi.contactsSearch(
          params.offset,
          params.limit,
          params.sort,
          params.way,
          params.field,
          params.operator,
          params.value,
          params.f0field,
          params.f0operator,
          params.f0value,
        ),
      want === 'refused' ? statusIs(422)() : findsIds(want, ordered),
    );
  await search('id =', { field: 'id', operator: Op.Equal, value: String(bobId) }, [bobId]);
  await search('id >', { field: 'id', operator: Op.GreaterThan, value: String(bobId) }, [
    cydId,
    deeId,
  ]);
  await search('id >=', { field: 'id', operator: Op.GreaterThanOrEqualTo, value: String(bobId) }, [
    bobId,
    cydId,
    deeId,
  ]);
  await search('id <', { field: 'id', operator: Op.LessThan, value: String(cydId) }, [
    annId,
    bobId,
  ]);
  await search('id <=', { field: 'id', operator: Op.LessThanOrEqualTo, value: String(cydId) }, [
    annId,
    bobId,
    cydId,
  ]);
  await search(
    'phone = (the new phone, after an update)',
    { field: 'phone', operator: Op.Equal, value: String(annNewPhone) },
    [annId],
  );
  await search(
    'phone = (the old phone, after an update)',
    { field: 'phone', operator: Op.Equal, value: String(annPhone) },
    [],
  );
  await search('phone like', { field: 'phone', operator: Op.Like, value: '337' }, [cydId, deeId]);
  await search(
    'phone > (not an operator phone takes)',
    { field: 'phone', operator: Op.GreaterThan, value: '1' },
    'refused',
  );
  await search('text field like', { field: String(firstName), operator: Op.Like, value: 'b' }, [
    bobId,
  ]);
  await search('text field =', { field: String(firstName), operator: Op.Equal, value: 'Cyd' }, [
    cydId,
  ]);
  await search(
    'text field > (not an operator text takes)',
    { field: String(firstName), operator: Op.GreaterThan, value: 'A' },
    'refused',
  );
  await search('number field =', { field: String(score), operator: Op.Equal, value: '30' }, [
    cydId,
  ]);
  await search('number field >', { field: String(score), operator: Op.GreaterThan, value: '20' }, [
    cydId,
    deeId,
  ]);
  await search(
    'number field >=',
    { field: String(score), operator: Op.GreaterThanOrEqualTo, value: '20' },
    [bobId, cydId, deeId],
  );
  await search('number field <', { field: String(score), operator: Op.LessThan, value: '20' }, [
    annId,
  ]);
  await search(
    'number field <=',
    { field: String(score), operator: Op.LessThanOrEqualTo, value: '20' },
    [annId, bobId],
  );
  await search(
    'number field like (not an operator numbers take)',
    { field: String(score), operator: Op.Like, value: '1' },
    'refused',
  );
  await search(
    'date field =',
    { field: String(birthday), operator: Op.Equal, value: '1990-01-02' },
    [annId],
  );
  await search(
    'date field >=',
    { field: String(birthday), operator: Op.GreaterThanOrEqualTo, value: '1990-01-01' },
    [annId],
  );
  await search(
    'date field <',
    { field: String(birthday), operator: Op.LessThan, value: '1990-01-01' },
    [],
  );
  await search(
    'creation date >=',
    { field: 'date', operator: Op.GreaterThanOrEqualTo, value: '2026-01-06 00:00:00' },
    [cydId, deeId],
  );
  await search(
    'creation date <',
    { field: 'date', operator: Op.LessThan, value: '2026-01-06 00:00:00' },
    [annId, bobId],
  );
  await search(
    'creation date > (ISO 8601 with T)',
    { field: 'date', operator: Op.GreaterThan, value: '2026-01-06T09:00:00' },
    [cydId, deeId],
  );
  await search('group_id =', { field: 'group_id', operator: Op.Equal, value: String(listTwo) }, [
    bobId,
    cydId,
  ]);
  await search(
    'a field the docs do not list',
    { field: 'email', operator: Op.Equal, value: 'x' },
    'refused',
  );
  await search(
    'search_fields[0] alone',
    { f0field: String(score), f0operator: Op.GreaterThan, f0value: '15' },
    [bobId, cydId, deeId],
  );
  await search(
    'search + search_fields[0] (both must hold)',
    {
      field: 'phone',
      operator: Op.Like,
      value: '336',
      f0field: String(score),
      f0operator: Op.GreaterThan,
      f0value: '15',
    },
    [bobId],
  );
  await search(
    'sort=phone way=desc',
    { sort: 'phone', way: SortWay.Desc },
    [deeId, cydId, annId, bobId],
    true,
  );
  await search(
    'sort=phone way=asc',
    { sort: 'phone', way: SortWay.Asc },
    [bobId, annId, cydId, deeId],
    true,
  );
  await search('sort=id way=desc', { sort: 'id', way: SortWay.Desc }, [...all].reverse(), true);
  await search(
    'page[offset]=1 page[limit]=15, sort=id',
    { offset: 1, limit: 15, sort: 'id' },
    [bobId, cydId, deeId],
    true,
  );
  await search('sort outside id|phone', { sort: 'created_at' }, 'refused');

  // ——— ContactListApi: search, attach, detach ———
  const lists = (await listsApi.contactLists(0, 500)).data.data;
  const newsletter = lists.find((list) => list.name === 'Newsletter').id;
  const listSearch = (note, params, want, ordered) =>
    check(
      'ContactListApi.contactListSearch',
      note,
      () =>
        listsApi.contactListSearch(
          params.offset,
          params.limit,
          params.sort,
          params.way,
          params.field,
          params.operator,
          params.value,
          params.f0field,
          params.f0operator,
          params.f0value,
        ),
      want === 'refused'
        ? statusIs(422)()
        : typeof want === 'function'
          ? is200((data) => want(idsOf(data)))
          : findsIds(want, ordered),
    );
  const G = sdk.ContactGroupSearchField;
  await listSearch('name like', { field: G.Name, operator: Op.Like, value: 'SDK' }, [
    listOne,
    listTwo,
  ]);
  await listSearch('name =', { field: G.Name, operator: Op.Equal, value: 'SDK second' }, [listTwo]);
  await listSearch(
    'description like',
    { field: G.Description, operator: Op.Like, value: 'second' },
    [listTwo],
  );
  await listSearch('id >', { field: G.Id, operator: Op.GreaterThan, value: String(listOne) }, [
    listTwo,
  ]);
  await listSearch(
    'id >=',
    { field: G.Id, operator: Op.GreaterThanOrEqualTo, value: String(listOne) },
    [listOne, listTwo],
  );
  await listSearch('id <', { field: G.Id, operator: Op.LessThan, value: String(listOne) }, [
    newsletter,
  ]);
  await listSearch(
    'id <=',
    { field: G.Id, operator: Op.LessThanOrEqualTo, value: String(listOne) },
    [newsletter, listOne],
  );
  await listSearch('items =', { field: G.Items, operator: Op.Equal, value: '0' }, [newsletter]);
  await listSearch('items >=', { field: G.Items, operator: Op.GreaterThanOrEqualTo, value: '2' }, [
    listOne,
    listTwo,
  ]);
  await listSearch(
    'created_at > (SDK enum)',
    { field: G.CreatedAt, operator: Op.GreaterThan, value: '2026-01-05 10:00:00' },
    [listTwo],
  );
  await listSearch(
    'date <= (the docs)',
    { field: 'date', operator: Op.LessThanOrEqualTo, value: '2026-01-05 10:00:00' },
    [newsletter, listOne],
  );
  await listSearch(
    'phone = (the lists holding a number)',
    { field: G.Phone, operator: Op.Equal, value: String(33600000002) },
    [listOne, listTwo],
  );
  await listSearch(
    'search_fields[0] alone',
    { f0field: G.Name, f0operator: Op.Like, f0value: 'second' },
    [listTwo],
  );
  await listSearch(
    'search + search_fields[0]',
    {
      field: G.Name,
      operator: Op.Like,
      value: 'SDK',
      f0field: G.Id,
      f0operator: Op.LessThan,
      f0value: String(listTwo),
    },
    [listOne],
  );
  await listSearch(
    'sort=name way=desc',
    { sort: 'name', way: SortWay.Desc },
    [listTwo, listOne, newsletter],
    true,
  );
  await listSearch('sort=items way=asc', { sort: 'items', way: SortWay.Asc }, (ids) =>
    ids[0] === newsletter && ids.length === 3
      ? undefined
      : `expected ${newsletter} (0 items) first, got ${JSON.stringify(ids)}`,
  );
  await listSearch(
    'sort=created_at way=desc',
    { sort: 'created_at', way: SortWay.Desc, field: G.Name, operator: Op.Like, value: 'SDK' },
    [listTwo, listOne],
    true,
  );
  await listSearch(
    'sort=description way=asc',
    { sort: 'description', way: SortWay.Asc, field: G.Name, operator: Op.Like, value: 'SDK' },
    [listOne, listTwo],
    true,
  );
  await listSearch(
    'sort=id way=desc',
    { sort: 'id', way: SortWay.Desc },
    [listTwo, listOne, newsletter],
    true,
  );
  await listSearch(
    'name > (not an operator text takes)',
    { field: G.Name, operator: Op.GreaterThan, value: 'A' },
    'refused',
  );

  await check(
    'ContactListApi.contactListAttach',
    '{ contacts, groups }',
    () => listsApi.contactListAttach({ contacts: [cydId, deeId], groups: [newsletter, listOne] }),
    is200(),
  );
  await check(
    'ContactApi.contacts',
    "after attach: the list's members (groups[])",
    () => contactsApi.contacts(0, 15, [newsletter]),
    findsIds([cydId, deeId]),
  );
  await check(
    'ContactListApi.contactListDetach',
    '{ contacts, groups }',
    () => listsApi.contactListDetach({ contacts: [deeId], groups: [newsletter, listOne] }),
    is200(),
  );
  await check(
    'ContactApi.contact',
    'after detach: the contact is in no list',
    () => contactsApi.contact(deeId),
    is200((data) => sameIds(groupIdsOf(data?.data), [])),
  );
  await check(
    'ContactListApi.contactListAttach',
    'a contact that does not exist',
    () => listsApi.contactListAttach({ contacts: [1], groups: [listOne] }),
    statusIs(422)(),
  );

  // ——— StopListApi ———
  const add = await check(
    'StopListApi.stoplistAdd',
    'two phones, types [sms]',
    () => stopApi.stoplistAdd({ phones: [annNewPhone, 33690000001], types: ['sms'] }),
    statusIs(
      200,
      201,
    )((data) => (data?.data?.length === 2 ? undefined : 'no entries in the answer')),
  );
  const [annEntry, otherEntry] = add.data.data.map((entry) => entry.id);
  clock += day;
  const viber = await check(
    'StopListApi.stoplistAdd',
    'types [viber]',
    () => stopApi.stoplistAdd({ phones: [33790000002], types: ['viber'] }),
    statusIs(200, 201)(),
  );
  const viberEntry = viber.data.data[0].id;
  await check(
    'StopListApi.stoplistAdd',
    'a phone already listed, another type',
    () => stopApi.stoplistAdd({ phones: [annNewPhone], types: ['viber'] }),
    statusIs(
      200,
      201,
    )((data) =>
      data?.data?.[0]?.id === annEntry && data.data[0].sms_stoplist && data.data[0].viber_stoplist
        ? undefined
        : 'not the same entry with both flags',
    ),
  );
  const stopItems = (note, type, want) =>
    check(
      'StopListApi.stoplistItems',
      note,
      () => stopApi.stoplistItems(0, 15, type),
      findsIds(want),
    );
  await stopItems('every type', undefined, [annEntry, otherEntry, viberEntry]);
  await stopItems('type=sms (the SDK spelling of the documented types)', 'sms', [
    annEntry,
    otherEntry,
  ]);
  await stopItems('type=viber', 'viber', [annEntry, viberEntry]);
  await check(
    'StopListApi.stoplistItems',
    'type=rcs (SDK enum, a BSG type; Notificore documents sms and viber): refused, not ignored',
    () => stopApi.stoplistItems(0, 15, 'rcs'),
    statusIs(422)(),
  );
  await check(
    'StopListApi.stoplistItems',
    'types=viber (the docs spelling)',
    () => stopApi.stoplistItems(0, 15, undefined, { params: { types: 'viber' } }),
    findsIds([annEntry, viberEntry]),
  );
  const stopSearch = (note, params, want, ordered) =>
    check(
      'StopListApi.stoplistSearch',
      note,
      () =>
        stopApi.stoplistSearch(
          params.offset,
          params.limit,
          params.sort,
          params.way,
          params.group,
          params.field,
          params.operator,
          params.value,
          params.f0field,
          params.f0operator,
          params.f0value,
        ),
      want === 'refused' ? statusIs(422)() : findsIds(want, ordered),
    );
  const S = sdk.StoplistSearchField;
  await stopSearch('phone =', { field: S.Phone, operator: Op.Equal, value: String(annNewPhone) }, [
    annEntry,
  ]);
  await stopSearch('phone like', { field: S.Phone, operator: Op.Like, value: '3369' }, [
    otherEntry,
  ]);
  await stopSearch('id >', { field: S.Id, operator: Op.GreaterThan, value: String(annEntry) }, [
    otherEntry,
    viberEntry,
  ]);
  await stopSearch(
    'id <=',
    { field: S.Id, operator: Op.LessThanOrEqualTo, value: String(otherEntry) },
    [annEntry, otherEntry],
  );
  await stopSearch('type = viber', { field: S.Type, operator: Op.Equal, value: 'viber' }, [
    annEntry,
    viberEntry,
  ]);
  await stopSearch('type = sms', { field: S.Type, operator: Op.Equal, value: 'sms' }, [
    annEntry,
    otherEntry,
  ]);
  await stopSearch(
    'created_at >= (SDK enum)',
    { field: S.CreatedAt, operator: Op.GreaterThanOrEqualTo, value: '2026-01-07 00:00:00' },
    [viberEntry],
  );
  await stopSearch(
    'date < (the docs)',
    { field: 'date', operator: Op.LessThan, value: '2026-01-07 00:00:00' },
    [annEntry, otherEntry],
  );
  await stopSearch(
    'sort=phone way=desc',
    { sort: 'phone', way: SortWay.Desc },
    [viberEntry, otherEntry, annEntry],
    true,
  );
  await stopSearch(
    'sort=id way=desc',
    { sort: 'id', way: SortWay.Desc },
    [viberEntry, otherEntry, annEntry],
    true,
  );
  await stopSearch('contact_group_id (phones of that list)', { group: listOne }, [annEntry]);
  await stopSearch(
    'search_fields[0] alone',
    { f0field: S.Type, f0operator: Op.Equal, f0value: 'sms' },
    [annEntry, otherEntry],
  );
  await stopSearch(
    'search + search_fields[0]',
    {
      field: S.Phone,
      operator: Op.Like,
      value: '336',
      f0field: S.Type,
      f0operator: Op.Equal,
      f0value: 'viber',
    },
    [annEntry],
  );
  await stopSearch('sort outside id|phone', { sort: 'created_at' }, 'refused');
  await check(
    'StopListApi.stoplistRemove',
    '{ ids, types }',
    () => stopApi.stoplistRemove({ ids: [otherEntry], types: ['sms'] }),
    is200(),
  );
  await check(
    'StopListApi.stoplistRemove',
    'one type of two: the entry stays with the other',
    () => stopApi.stoplistRemove({ ids: [annEntry], types: ['sms'] }),
    is200(),
  );
  await stopItems('after the removals', undefined, [annEntry, viberEntry]);

  // ——— deletes ———
  await check(
    'ContactApi.contactsDelete',
    'contact_ids[] in the query',
    () => contactsApi.contactsDelete([deeId]),
    is204(),
  );
  await check(
    'ContactApi.contact',
    'a contact bulk-deleted',
    () => contactsApi.contact(deeId),
    refused('Invalid contact id'),
  );
  await check(
    'ContactListApi.contactListDelete',
    'by id',
    () => listsApi.contactListDelete(listTwo),
    is204(),
  );
  await check(
    'ContactApi.contacts',
    "a deleted list's contacts are kept",
    () => contactsApi.contacts(0, 15),
    findsIds([annId, bobId, cydId]),
  );
  await check(
    'ContactListApi.contactList',
    'a deleted list',
    () => listsApi.contactList(listTwo),
    statusIs(404, 422)(),
  );
  const last = await contactsApi.contactCreate({ phone: 33700000005 });
  const lastId = last.data.data.id;
  await check(
    'ContactApi.contactsDelete',
    'group_ids[]: every contact of the list',
    () => contactsApi.contactsDelete(undefined, [listOne]),
    is204(),
  );
  await check(
    'ContactApi.contacts',
    'only the contacts outside that list are left',
    () => contactsApi.contacts(0, 15),
    findsIds([lastId]),
  );
  await check(
    'ContactApi.contactDelete',
    'by id',
    () => contactsApi.contactDelete(lastId),
    is204(),
  );
  await check(
    'ContactApi.contactDelete',
    'an id that does not exist',
    () => contactsApi.contactDelete(lastId),
    statusIs(404, 422)(),
  );
} finally {
  await server.close();
}

const failed = results.filter((result) => !result.ok);
if (markdown) {
  process.stdout.write('| SDK method | case | request as sent | status | as documented |\n');
  process.stdout.write('|---|---|---|---|---|\n');
  for (const result of results) {
    const cell = (text) => String(text).replaceAll('|', '\\|');
    process.stdout.write(
      `| ${result.method} | ${cell(result.note)} | \`${cell(result.request)}\` | ${result.status} | ${result.ok ? 'yes' : `**no**: ${cell(result.problem)}`} |\n`,
    );
  }
}
process.stdout.write(
  `\n${results.length} calls through ${new Set(results.map((result) => result.method)).size} SDK methods: ${results.length - failed.length} as documented, ${failed.length} not\n`,
);
process.exit(failed.length ? 1 : 0);

/** Bundles the emulator and the sandbox server from the TypeScript sources (Node 20 cannot strip types). */
async function loadSandbox() {
  const outDir = join(root, 'node_modules/.cache/contact-sync-run');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `notificore-sdk-check-${process.pid}.mjs`);
  await build({
    stdin: {
      contents: [
        "export { serveEmulators } from './sandbox/server.ts';",
        "export { createNotificoreEmulator } from './sandbox/notificore/emulator.ts';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true });
  }
}
