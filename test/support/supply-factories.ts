import type { Database } from '../../src/db/database.js';

/**
 * A small interchange-format dataset with named personas (省茶叶学会, 王教授 …), written for the
 * tests. Each call returns a fresh object; `suffix` keeps keys unique when one file needs two sets.
 */
export function teaDataset(suffix = '') {
  return {
    name: `测试导入${suffix}`,
    societies: [
      {
        key: `SOC-TEA${suffix}`,
        name: `贵州省茶叶学会${suffix}`,
        discipline: '茶学',
        description: '会员来自茶叶科研院所、高校和茶企，开展茶树栽培、茶叶加工与质量安全研究和技术服务。',
        region_code: '520000',
      },
      {
        key: `SOC-FOOD${suffix}`,
        name: `贵州省食品科学技术学会${suffix}`,
        discipline: '食品科学与工程',
        description: '围绕辣椒、刺梨等特色农产品加工，开展干燥、保鲜与品质调控研究和企业技术服务。',
        region_code: '520100',
      },
    ],
    experts: [
      {
        key: `EXP-WANG${suffix}`,
        name: '王教授',
        title: '教授',
        affiliation: '贵州大学茶学院',
        region_code: '520100',
        society_keys: [`SOC-TEA${suffix}`],
        fields: ['茶树栽培', '茶园病虫害绿色防控', '小绿叶蝉'],
        bio: '长期从事茶园害虫生态调控研究，主持茶园绿色防控技术集成与示范。',
        contact_phone: '13800000000',
      },
      {
        key: `EXP-LI${suffix}`,
        name: '李研究员',
        title: '研究员',
        affiliation: '贵州省农业科学院食品加工研究所',
        region_code: '520300',
        society_keys: [`SOC-FOOD${suffix}`],
        fields: ['果蔬干燥动力学与品质调控', '热泵干燥', '辣椒加工'],
        bio: '研究辣椒等果蔬的干燥工艺与色泽保持，开发热泵烘干设备工艺参数。',
      },
      {
        key: `EXP-ZHAO${suffix}`,
        name: '赵高工',
        title: '高级工程师',
        affiliation: '遵义某机械厂',
        region_code: '520300',
        society_keys: [],
        fields: ['数控加工', '工装夹具设计'],
        bio: '从事机械零部件数控加工工艺。',
      },
    ],
    challenges: [
      {
        key: `CH-CHILI${suffix}`,
        title: '烘干的辣椒颜色发暗，想改进烘干办法',
        description:
          '我们合作社每年烘几百吨干辣椒，烘出来颜色发暗，客商压价。想请专家帮忙改进烘干房和烘干工艺。',
        industry: '辣椒加工',
        region_code: '520300',
        budget_wan: 20,
        deadline: '2027-06-30',
      },
    ],
  };
}

/** A published capability of an expert (成果), straight into the table with its outbox row. */
export async function newCapability(
  db: Database,
  input: { ownerExpertId: string; title?: string; fields?: string[]; status?: 'draft' | 'published' },
) {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('capabilities')
      .values({
        owner_expert_id: input.ownerExpertId,
        kind: 'achievement',
        title: input.title ?? '辣椒热泵低温干燥护色技术',
        description: '热泵分段变温干燥，色价保留率高，适合合作社烘干房改造。',
        fields: input.fields ?? ['热泵干燥', '辣椒加工', '护色'],
        trl: 7,
        cooperation_modes: ['转让', '技术服务'],
        price_negotiable: true,
        region_code: '520300',
        status: input.status ?? 'published',
        published_at: input.status === 'draft' ? null : new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.insertInto('search_outbox').values({ entity: 'capability', entity_id: row.id }).execute();
    return row;
  });
}
