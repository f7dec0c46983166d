#!/usr/bin/env node
// Validates the JSON files under seeds/ (reference data and demo content).
// Plain Node, no dependencies: `node seeds/check-seeds.mjs`. Exits 1 on any problem.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const load = (rel) => JSON.parse(readFileSync(join(here, rel), 'utf8'));
const errors = [];
const fail = (msg) => errors.push(msg);

// GB 32100-2015 统一社会信用代码
const CS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
export function creditCodeCheckChar(first17) {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CS.indexOf(first17[i]);
    if (v < 0) return null;
    sum += v * W[i];
  }
  return CS[(31 - (sum % 31)) % 31];
}
export function isValidCreditCode(code) {
  return (
    typeof code === 'string' &&
    /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code) &&
    creditCodeCheckChar(code.slice(0, 17)) === code[17]
  );
}
// GB 11714 组织机构代码 (chars 9-17 of the credit code)
export function isValidOrgCode(code9) {
  const w = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = code9[i];
    const v = /[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 55;
    sum += v * w[i];
  }
  const r = 11 - (sum % 11);
  return code9[8] === (r === 10 ? 'X' : r === 11 ? '0' : String(r));
}

const uniq = (label, items, field) => {
  const seen = new Set();
  for (const it of items) {
    if (seen.has(it[field])) fail(`${label}: duplicate ${field} ${it[field]}`);
    seen.add(it[field]);
  }
  return seen;
};

// regions
const regionsFile = load('reference/regions.json');
if (typeof regionsFile.source !== 'string' || !regionsFile.source) fail('regions.json: missing source');
const regions = regionsFile.regions;
const regionCodes = uniq('regions', regions, 'code');
const regionByCode = new Map(regions.map((r) => [r.code, r]));
const levels = { province: 0, prefecture: 0, county: 0 };
for (const r of regions) {
  if (!/^52\d{4}$/.test(r.code)) fail(`regions: bad code ${r.code}`);
  if (!(r.level in levels)) fail(`regions: bad level ${r.level} for ${r.code}`);
  else levels[r.level]++;
  if (!r.name || !r.short_name) fail(`regions: ${r.code} needs name and short_name`);
  const parent = r.parent_code === null ? null : regionByCode.get(r.parent_code);
  if (r.level === 'province' && r.parent_code !== null) fail(`regions: province ${r.code} has a parent`);
  if (r.level === 'prefecture' && parent?.level !== 'province')
    fail(`regions: ${r.code} parent must be the province`);
  if (r.level === 'county' && parent?.level !== 'prefecture')
    fail(`regions: ${r.code} parent must be a prefecture`);
  if (r.level === 'county' && r.code.slice(0, 4) !== r.parent_code?.slice(0, 4)) {
    fail(`regions: ${r.code} does not refine its parent ${r.parent_code}`);
  }
}
if (levels.province !== 1 || levels.prefecture !== 9) fail(`regions: expected 1 province and 9 prefectures`);
if (levels.county < 80) fail(`regions: only ${levels.county} counties`);
const isCounty = (code) => regionByCode.get(code)?.level === 'county';

// industries
const industriesFile = load('reference/industries.json');
if (!Number.isInteger(industriesFile.version)) fail('industries.json: version must be an integer');
const industries = industriesFile.industries;
const industryCodes = uniq('industries', industries, 'code');
uniq('industries', industries, 'name');
const groups = new Set(['特色产业', '十大工业产业', '其他']);
const groupCount = {};
for (const i of industries) {
  if (!/^[a-z][a-z0-9-]*$/.test(i.code)) fail(`industries: code ${i.code} is not an ASCII slug`);
  if (!groups.has(i.group)) fail(`industries: ${i.code} bad group ${i.group}`);
  groupCount[i.group] = (groupCount[i.group] || 0) + 1;
  if (!Number.isInteger(i.sort)) fail(`industries: ${i.code} sort must be an integer`);
  if (!Array.isArray(i.aliases) || i.aliases.some((a) => typeof a !== 'string' || !a)) {
    fail(`industries: ${i.code} aliases must be non-empty strings`);
  }
}
for (const [group, n] of [
  ['特色产业', 12],
  ['十大工业产业', 10],
]) {
  if (groupCount[group] !== n) fail(`industries: expected ${n} ${group}, got ${groupCount[group]}`);
}

// disciplines
const disciplines = load('reference/disciplines.json').disciplines;
const disciplineCodes = uniq('disciplines', disciplines, 'code');
for (const d of disciplines) {
  const top = /^\d{3}$/.test(d.code);
  const second = /^\d{3}\.\d{2}$/.test(d.code);
  if (!top && !second) fail(`disciplines: bad code ${d.code}`);
  if (top && d.parent_code !== null) fail(`disciplines: ${d.code} must have parent_code null`);
  if (second && (d.parent_code !== d.code.slice(0, 3) || !disciplineCodes.has(d.parent_code))) {
    fail(`disciplines: ${d.code} has bad parent ${d.parent_code}`);
  }
}

// organisations
const organisations = load('demo/organisations.json').organisations;
uniq('organisations', organisations, 'key');
uniq('organisations', organisations, 'credit_code');
const orgByKey = new Map(organisations.map((o) => [o.key, o]));
for (const o of organisations) {
  if (o.kind !== 'enterprise' && o.kind !== 'society') fail(`organisations: ${o.key} bad kind ${o.kind}`);
  if (!isValidCreditCode(o.credit_code))
    fail(`organisations: ${o.key} credit_code ${o.credit_code} fails GB 32100`);
  else {
    if (!isValidOrgCode(o.credit_code.slice(8, 17)))
      fail(`organisations: ${o.key} org code part fails GB 11714`);
    const prefix = o.kind === 'enterprise' ? '91' : '51';
    if (o.credit_code.slice(0, 2) !== prefix) fail(`organisations: ${o.key} must start with ${prefix}`);
    if (!regionCodes.has(o.credit_code.slice(2, 8)))
      fail(`organisations: ${o.key} credit_code region unknown`);
  }
  if (!isCounty(o.region_code)) fail(`organisations: ${o.key} region_code ${o.region_code} is not a county`);
  if (!o.name || !o.description) fail(`organisations: ${o.key} needs name and description`);
}

// challenges
const challenges = load('demo/challenges.json').challenges;
uniq('challenges', challenges, 'key');
const statuses = new Set(['published', 'bidding_closed', 'awarded', 'accepted']);
const modes = new Set(['技术开发', '技术转让', '技术许可', '技术咨询', '技术服务']);
const prefectures = new Set();
for (const c of challenges) {
  const org = orgByKey.get(c.enterprise_key);
  if (!org) fail(`challenges: ${c.key} unknown enterprise_key ${c.enterprise_key}`);
  else if (org.kind !== 'enterprise') fail(`challenges: ${c.key} posted by a non-enterprise`);
  if (!industryCodes.has(c.industry_code))
    fail(`challenges: ${c.key} unknown industry_code ${c.industry_code}`);
  if (!isCounty(c.region_code)) fail(`challenges: ${c.key} region_code ${c.region_code} is not a county`);
  else prefectures.add(regionByCode.get(c.region_code).parent_code);
  for (const f of ['title', 'background', 'problem', 'targets']) {
    if (typeof c[f] !== 'string' || !c[f].trim()) fail(`challenges: ${c.key} missing ${f}`);
  }
  if (!Number.isFinite(c.reward_wan) || c.reward_wan < 5 || c.reward_wan > 500) {
    fail(`challenges: ${c.key} reward_wan ${c.reward_wan} outside 5-500`);
  }
  if (!Number.isInteger(c.bid_deadline_days))
    fail(`challenges: ${c.key} bid_deadline_days must be an integer`);
  if (!statuses.has(c.status)) fail(`challenges: ${c.key} bad status ${c.status}`);
  if (c.status === 'published' && c.bid_deadline_days <= 0)
    fail(`challenges: ${c.key} published but deadline passed`);
  if (c.status !== 'published' && c.bid_deadline_days > 0)
    fail(`challenges: ${c.key} ${c.status} but deadline ahead`);
  if (!modes.has(c.cooperation_mode)) fail(`challenges: ${c.key} bad cooperation_mode ${c.cooperation_mode}`);
}
if (prefectures.size !== 9) fail(`challenges: only ${prefectures.size} of 9 prefectures represented`);
const text = (c) => `${c.title}${c.background}${c.problem}${c.targets}`;
if (!challenges.some((c) => text(c).includes('辣椒') && text(c).includes('干燥'))) {
  fail('challenges: none mentions both 辣椒 and 干燥');
}

// stations (demo): experts of demo societies; stations at a county with a demo host; records
const stationsFile = load('demo/stations.json');
const demoExperts = stationsFile.experts;
const expertKeys = uniq('station experts', demoExperts, 'key');
for (const e of demoExperts) {
  if (orgByKey.get(e.society_key)?.kind !== 'society') fail(`station experts: ${e.key} bad society_key`);
  if (!isCounty(e.region_code)) fail(`station experts: ${e.key} region_code is not a county`);
  if (!e.name || !e.title || !e.affiliation || !Array.isArray(e.fields) || e.fields.length === 0)
    fail(`station experts: ${e.key} needs name, title, affiliation and fields`);
}
const demoStations = stationsFile.stations;
uniq('stations', demoStations, 'key');
uniq('stations', demoStations, 'name');
const stationKinds = new Set(['society-workstation', 'expert-service-station', 'innovation-branch']);
const recordKinds = new Set(['visit', 'training', 'consulting', 'problem_solved', 'standard_drafted']);
const stationPrefectures = new Set();
for (const s of demoStations) {
  if (!stationKinds.has(s.kind_code)) fail(`stations: ${s.key} bad kind_code ${s.kind_code}`);
  if (orgByKey.get(s.society_key)?.kind !== 'society')
    fail(`stations: ${s.key} society_key is not a society`);
  if (orgByKey.get(s.host_key)?.kind !== 'enterprise')
    fail(`stations: ${s.key} host_key is not an enterprise`);
  if (!['enterprise', 'park', 'county_government'].includes(s.host_kind))
    fail(`stations: ${s.key} bad host_kind`);
  if (!isCounty(s.region_code)) fail(`stations: ${s.key} region_code ${s.region_code} is not a county`);
  else if (s.status === 'active') stationPrefectures.add(regionByCode.get(s.region_code).parent_code);
  if (!['applied', 'host_confirmed', 'active'].includes(s.status))
    fail(`stations: ${s.key} bad status ${s.status}`);
  if (!Array.isArray(s.industry_codes) || s.industry_codes.length === 0)
    fail(`stations: ${s.key} needs industries`);
  for (const code of s.industry_codes ?? [])
    if (!industryCodes.has(code)) fail(`stations: ${s.key} unknown industry_code ${code}`);
  for (const key of s.expert_keys) if (!expertKeys.has(key)) fail(`stations: ${s.key} unknown expert ${key}`);
  if (s.status !== 'active' && s.records.length > 0)
    fail(`stations: ${s.key} records on a station not running`);
  for (const r of s.records) {
    if (!recordKinds.has(r.kind)) fail(`stations: ${s.key} record bad kind ${r.kind}`);
    if (!r.title || r.title.length < 2 || r.title.length > 100)
      fail(`stations: ${s.key} record title length`);
    if (!Number.isInteger(r.days_ago) || r.days_ago < 0 || r.days_ago > 400)
      fail(`stations: ${s.key} record days_ago must be within the term (0-400)`);
    if (!Number.isInteger(r.beneficiaries) || r.beneficiaries < 0)
      fail(`stations: ${s.key} record beneficiaries`);
    if (!['submitted', 'confirmed'].includes(r.status)) fail(`stations: ${s.key} record bad status`);
    for (const key of r.expert_keys)
      if (!s.expert_keys.includes(key)) fail(`stations: ${s.key} record expert ${key} is not stationed`);
  }
}
if (stationPrefectures.size < 3)
  fail(`stations: running stations in only ${stationPrefectures.size} prefectures`);

// capabilities (demo): owned by a demo expert or a demo society; content as capabilityBody accepts it
const capabilities = load('demo/capabilities.json').capabilities;
uniq('capabilities', capabilities, 'key');
uniq(
  'capabilities',
  capabilities.map((c) => c.content ?? {}),
  'title',
);
const capabilityKinds = new Set(['achievement', 'patent', 'service', 'equipment', 'standard']);
const capabilityModes = new Set(['转让', '许可', '合作开发', '技术咨询', '技术服务']);
const contentKeys = new Set([
  'kind',
  'title',
  'description',
  'fields',
  'industry_code',
  'trl',
  'cooperation_modes',
  'price_negotiable',
  'price_min_wan',
  'price_max_wan',
  'region_code',
]);
const challengeIndustries = new Set(challenges.map((c) => c.industry_code));
const isWan = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1_000_000;
for (const c of capabilities) {
  const owners = Object.keys(c.owner ?? {});
  if (owners.length !== 1 || !['expert', 'organisation'].includes(owners[0]))
    fail(`capabilities: ${c.key} owner must be exactly one of expert or organisation`);
  else if (c.owner.expert !== undefined && !expertKeys.has(c.owner.expert))
    fail(`capabilities: ${c.key} unknown expert ${c.owner.expert}`);
  else if (c.owner.organisation !== undefined && orgByKey.get(c.owner.organisation)?.kind !== 'society')
    fail(`capabilities: ${c.key} organisation ${c.owner.organisation} is not a demo society`);
  if (!['published', 'draft'].includes(c.status)) fail(`capabilities: ${c.key} bad status ${c.status}`);
  if (!Number.isInteger(c.days_ago) || c.days_ago < 0 || c.days_ago > 400)
    fail(`capabilities: ${c.key} days_ago must be 0-400`);
  const k = c.content ?? {};
  for (const key of Object.keys(k))
    if (!contentKeys.has(key)) fail(`capabilities: ${c.key} unknown field ${key}`);
  if (!capabilityKinds.has(k.kind)) fail(`capabilities: ${c.key} bad kind ${k.kind}`);
  if (typeof k.title !== 'string' || k.title.trim().length < 2 || k.title.length > 100)
    fail(`capabilities: ${c.key} title must be 2-100 characters`);
  if (typeof k.description !== 'string' || !k.description.trim() || k.description.length > 5000)
    fail(`capabilities: ${c.key} description must be 1-5000 characters`);
  if (
    !Array.isArray(k.fields) ||
    k.fields.length === 0 ||
    k.fields.length > 30 ||
    k.fields.some((f) => typeof f !== 'string' || !f.trim() || f.length > 50 || /[、，,；;\n]/.test(f))
  )
    fail(`capabilities: ${c.key} needs 1-30 fields of at most 50 characters, no list separators`);
  if (!industryCodes.has(k.industry_code))
    fail(`capabilities: ${c.key} unknown industry_code ${k.industry_code}`);
  else if (!challengeIndustries.has(k.industry_code))
    fail(`capabilities: ${c.key} industry ${k.industry_code} has no demo challenge to be related to`);
  if (!regionCodes.has(k.region_code)) fail(`capabilities: ${c.key} unknown region_code ${k.region_code}`);
  if (k.trl !== undefined && !(Number.isInteger(k.trl) && k.trl >= 1 && k.trl <= 9))
    fail(`capabilities: ${c.key} trl must be an integer 1-9 (or absent)`);
  if (
    !Array.isArray(k.cooperation_modes) ||
    k.cooperation_modes.length === 0 ||
    new Set(k.cooperation_modes).size !== k.cooperation_modes.length ||
    k.cooperation_modes.some((mode) => !capabilityModes.has(mode))
  )
    fail(
      `capabilities: ${c.key} cooperation_modes must be distinct values of ${[...capabilityModes].join('/')}`,
    );
  if (typeof k.price_negotiable !== 'boolean')
    fail(`capabilities: ${c.key} price_negotiable must be a boolean`);
  else if (k.price_negotiable && (k.price_min_wan !== undefined || k.price_max_wan !== undefined))
    fail(`capabilities: ${c.key} negotiable price must not carry a range`);
  else if (!k.price_negotiable && !isWan(k.price_min_wan))
    fail(`capabilities: ${c.key} needs price_min_wan when the price is not negotiable`);
  else if (
    !k.price_negotiable &&
    k.price_max_wan !== undefined &&
    !(isWan(k.price_max_wan) && k.price_max_wan >= k.price_min_wan)
  )
    fail(`capabilities: ${c.key} price_max_wan must be at least price_min_wan`);
}
if (!capabilities.some((c) => c.status === 'published' && `${c.content?.title}`.includes('辣椒')))
  fail('capabilities: none published about 辣椒 (the demo chilli-drying challenges need a related one)');

const count = (arr, f) => arr.reduce((m, x) => m.set(x[f], (m.get(x[f]) || 0) + 1), new Map());
console.log(
  `regions: ${regions.length} (${Object.entries(levels)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')})`,
);
console.log(
  `industries: ${industries.length} (${[...count(industries, 'group')].map(([k, v]) => `${k} ${v}`).join(', ')})`,
);
console.log(
  `disciplines: ${disciplines.length} (${disciplines.filter((d) => !d.parent_code).length} top-level)`,
);
console.log(
  `organisations: ${organisations.length} (${[...count(organisations, 'kind')].map(([k, v]) => `${k} ${v}`).join(', ')})`,
);
console.log(
  `challenges: ${challenges.length} (${[...count(challenges, 'status')].map(([k, v]) => `${k} ${v}`).join(', ')}), prefectures ${prefectures.size}`,
);
console.log(
  `stations: ${demoStations.length} (running in ${stationPrefectures.size} prefectures), ${demoStations.reduce((n, s) => n + s.records.length, 0)} service records`,
);
console.log(
  `capabilities: ${capabilities.length} (${[...count(capabilities, 'status')].map(([k, v]) => `${k} ${v}`).join(', ')})`,
);
if (errors.length) {
  for (const e of errors) console.error(`ERROR ${e}`);
  console.error(`seeds check: ${errors.length} problem(s)`);
  process.exit(1);
}
console.log('seeds check: ok');
