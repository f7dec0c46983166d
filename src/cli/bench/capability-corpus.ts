import type { Database } from '../../db/database.js';
import { seededRandom } from './corpus.js';

const kinds = ['achievement', 'patent', 'service', 'equipment', 'standard'] as const;
const subjects = [
  '茶叶清洁化加工',
  '辣椒热泵干燥',
  '食用菌菌种选育',
  '天麻仿野生栽培',
  '刺梨汁褐变控制',
  '磷石膏净化',
  '数据中心液冷',
  '酱香白酒制曲',
  '装配式构件养护',
  '污水处理站智能运维',
  '山地采茶机',
  '生猪粪污资源化',
];
const forms = ['技术', '工艺包', '成套装备', '检测服务', '团体标准', '发明专利'];
const modes = ['转让', '许可', '合作开发', '技术咨询', '技术服务'];

/**
 * Capabilities for the benchmark corpus, owned by imported experts. The interchange format has no
 * capabilities, so they are inserted in bulk here; the reindex then indexes them like any other.
 */
export async function loadBenchCapabilities(db: Database, count: number): Promise<number> {
  const rand = seededRandom(99);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const owners = (
    await db.selectFrom('expert_profiles').select('id').limit(Math.min(count, 5000)).execute()
  ).map((r) => r.id);
  if (owners.length === 0) return 0;
  for (let start = 0; start < count; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - start) }, (_, i) => {
      const subject = pick(subjects);
      return {
        external_key: `bench-cap${start + i}`,
        owner_expert_id: pick(owners),
        kind: pick(kinds),
        title: `${subject}${pick(forms)}`,
        description: `面向贵州${subject}需求，提供${pick(forms)}，已在多家企业应用。`,
        fields: [subject],
        trl: 3 + Math.floor(rand() * 7),
        cooperation_modes: [pick(modes)],
        price_negotiable: true,
        status: 'published',
        published_at: new Date(),
      };
    });
    await db
      .insertInto('capabilities')
      .values(batch)
      .onConflict((oc) => oc.column('external_key').doNothing())
      .execute();
  }
  return count;
}
