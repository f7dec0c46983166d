/**
 * A deterministic, realistic Chinese corpus for benchmarks, in the interchange format the import
 * path takes (societies, experts, enterprises, challenges). Records are composed from domain
 * vocabulary per industry, so texts vary the way real posts do (colloquial and formal) and searches
 * hit a realistic share of documents. Same seed → same corpus.
 */

/** mulberry32: small, fast, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Topic {
  industry: string;
  products: string[];
  processes: string[];
  problems: string[];
  goals: string[];
  fields: string[];
  discipline: string;
}

const topics: Topic[] = [
  {
    industry: '茶叶',
    products: ['绿茶', '红茶', '抹茶', '茶青', '湄潭翠芽', '都匀毛尖'],
    processes: ['杀青', '揉捻', '萎凋', '干燥', '发酵', '拼配'],
    problems: ['碎茶率偏高', '香气不足', '汤色发暗', '农残超标', '茶园小绿叶蝉危害重'],
    goals: ['提升品质稳定性', '实现清洁化加工', '降低能耗'],
    fields: ['茶叶加工', '茶树栽培', '茶叶品质化学', '病虫害绿色防控'],
    discipline: '农学',
  },
  {
    industry: '辣椒',
    products: ['朝天椒', '干辣椒', '油辣椒', '辣椒酱', '糍粑辣椒'],
    processes: ['烘干', '热泵干燥', '发酵', '炒制', '灌装'],
    problems: ['颜色发暗', '霉变', '辣味不稳定', '哈喇味', '保质期短'],
    goals: ['色价保持', '延长保质期', '标准化生产'],
    fields: ['果蔬干燥', '食品加工', '辣椒育种', '食品安全检测'],
    discipline: '食品科学技术',
  },
  {
    industry: '食用菌',
    products: ['香菇', '木耳', '竹荪', '羊肚菌', '红托竹荪'],
    processes: ['菌包制作', '灭菌', '出菇管理', '烘干', '保鲜'],
    problems: ['杂菌污染', '出菇不齐', '产量低', '烂棒'],
    goals: ['提高生物学效率', '周年化生产'],
    fields: ['食用菌栽培', '微生物发酵', '菌种选育'],
    discipline: '农学',
  },
  {
    industry: '中药材',
    products: ['天麻', '太子参', '石斛', '何首乌', '黄精'],
    processes: ['种植', '炮制', '提取', '干燥', '质量检测'],
    problems: ['连作障碍', '有效成分含量低', '根腐病', '重金属超标'],
    goals: ['道地药材标准化', 'GAP 基地建设'],
    fields: ['中药资源', '药用植物栽培', '中药化学', '药物分析'],
    discipline: '中医学与中药学',
  },
  {
    industry: '刺梨',
    products: ['刺梨汁', '刺梨果脯', '刺梨原液', '刺梨维C'],
    processes: ['榨汁', '澄清', '杀菌', '浓缩', '冻干'],
    problems: ['褐变', '涩味重', '维生素C损失大', '沉淀'],
    goals: ['保留营养成分', '开发高附加值产品'],
    fields: ['果汁加工', '天然产物化学', '食品营养'],
    discipline: '食品科学技术',
  },
  {
    industry: '生猪',
    products: ['仔猪', '育肥猪', '黑猪', '猪肉制品'],
    processes: ['饲养', '防疫', '粪污处理', '屠宰'],
    problems: ['仔猪腹泻', '料肉比高', '沼液消纳难', '非洲猪瘟防控'],
    goals: ['降低死亡率', '种养循环'],
    fields: ['动物营养', '兽医学', '畜禽废弃物资源化'],
    discipline: '畜牧、兽医科学',
  },
  {
    industry: '现代化工',
    products: ['磷石膏', '磷酸铁', '黄磷', '湿法磷酸', '氟化工产品'],
    processes: ['净化', '煅烧', '综合利用', '结晶', '萃取'],
    problems: ['杂质含量高', '堆存占地', '能耗高', '副产物难利用'],
    goals: ['资源化利用率提高', '产品达到电池级'],
    fields: ['化学工程', '磷化工', '无机材料', '固废资源化'],
    discipline: '化学工程',
  },
  {
    industry: '大数据电子信息',
    products: ['数据中心', '算力平台', '工业互联网平台', '边缘计算节点'],
    processes: ['冷却', '调度', '数据治理', '安全防护'],
    problems: ['PUE 偏高', '数据孤岛', '运维成本高', '时延大'],
    goals: ['绿色低碳运行', '智能运维'],
    fields: ['计算机系统结构', '数据挖掘', '网络安全', '暖通空调'],
    discipline: '计算机科学技术',
  },
  {
    industry: '优质烟酒',
    products: ['酱香白酒', '基酒', '酒糟', '窖泥'],
    processes: ['制曲', '堆积发酵', '蒸馏', '勾调', '贮存'],
    problems: ['出酒率低', '酒体杂味', '窖泥老化', '酒糟利用率低'],
    goals: ['稳定风味', '废弃物资源化'],
    fields: ['酿酒微生物', '发酵工程', '风味化学'],
    discipline: '食品科学技术',
  },
  {
    industry: '新型建材',
    products: ['装配式构件', '低碳胶凝材料', '加气砖', '石材'],
    processes: ['配料', '养护', '成型', '切割'],
    problems: ['强度不足', '开裂', '粉尘大', '固废掺量低'],
    goals: ['提高固废掺量', '降低碳排放'],
    fields: ['建筑材料', '土木工程材料', '固废利用'],
    discipline: '材料科学',
  },
  {
    industry: '生态环保',
    products: ['污水处理站', '垃圾中转站', '尾矿库', '河道'],
    processes: ['运维', '治理', '监测', '修复'],
    problems: ['出水不达标', '又黑又臭', '重金属污染', '运行成本高'],
    goals: ['稳定达标排放', '长效运维'],
    fields: ['水污染控制', '环境监测', '土壤修复'],
    discipline: '环境科学技术',
  },
  {
    industry: '先进装备制造',
    products: ['山地农机', '采茶机', '矿用设备', '无人机'],
    processes: ['设计', '加工', '装配', '检测'],
    problems: ['可靠性差', '适应性不强', '故障率高', '效率低'],
    goals: ['轻量化', '智能化改造'],
    fields: ['机械设计', '农业机械化', '自动控制'],
    discipline: '机械工程',
  },
];

const regions = [
  '520102',
  '520113',
  '520203',
  '520302',
  '520328',
  '520402',
  '520502',
  '520602',
  '522301',
  '522601',
  '522701',
  '520304',
  '520323',
];
const surnames =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢'.split(
    '',
  );
const givenChars = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌波辉宇晨鹏飞云霖'.split(
  '',
);
const titles = ['教授', '研究员', '副教授', '副研究员', '高级工程师', '正高级工程师', '工程师', '高级农艺师'];
const affiliations = [
  '贵州大学',
  '贵州师范大学',
  '贵州省农业科学院',
  '贵州医科大学',
  '贵州民族大学',
  '遵义医科大学',
  '贵州理工学院',
  '贵州省科学院',
  '贵州茅台酒厂技术中心',
  '中国科学院地球化学研究所',
];
const colloquialOpeners = ['我们厂', '我们合作社', '公司', '我们基地', '我们县里'];

export interface CorpusSizes {
  challenges: number;
  experts: number;
  societies: number;
  enterprises: number;
}

export interface Corpus {
  name: string;
  societies: Array<Record<string, unknown>>;
  enterprises: Array<Record<string, unknown>>;
  experts: Array<Record<string, unknown>>;
  challenges: Array<Record<string, unknown>>;
}

export function generateCorpus(sizes: CorpusSizes, seed = 20261127): Corpus {
  const rand = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const name = () => pick(surnames) + pick(givenChars) + (rand() < 0.6 ? pick(givenChars) : '');

  const societies = Array.from({ length: sizes.societies }, (_, i) => {
    const topic = topics[i % topics.length]!;
    return {
      key: `bench-s${i}`,
      name: `贵州省${topic.industry}${['学会', '研究会', '协会'][i % 3]}${i >= topics.length ? `第${Math.floor(i / topics.length) + 1}分会` : ''}`,
      discipline: topic.discipline,
      description: `会员来自高校、科研院所和企业，围绕${topic.fields.join('、')}开展学术交流与技术服务。`,
      region_code: '520000',
    };
  });
  const enterprises = Array.from({ length: sizes.enterprises }, (_, i) => ({
    key: `bench-e${i}`,
    name: `贵州${pick(['黔', '筑', '遵', '安', '铜', '毕'])}${pick(['源', '丰', '鑫', '康', '兴', '达'])}${pick(topics).industry}科技有限公司${i}`,
    region_code: pick(regions),
  }));
  const experts = Array.from({ length: sizes.experts }, (_, i) => {
    const topic = pick(topics);
    const fields = [
      pick(topic.fields),
      pick(topic.fields),
      `${pick(topic.products)}${pick(topic.processes)}`,
    ];
    return {
      key: `bench-x${i}`,
      name: name(),
      title: pick(titles),
      affiliation: pick(affiliations),
      region_code: pick(regions),
      society_keys: sizes.societies > 0 ? [`bench-s${Math.floor(rand() * sizes.societies)}`] : [],
      fields: [...new Set(fields)],
      bio: `长期从事${fields.join('、')}研究，主持${pick(topic.products)}${pick(topic.processes)}相关项目${1 + Math.floor(rand() * 8)}项，解决了${pick(topic.problems)}等问题，${pick(topic.goals)}。`,
    };
  });
  const challenges = Array.from({ length: sizes.challenges }, (_, i) => {
    const topic = pick(topics);
    const product = pick(topic.products);
    const process = pick(topic.processes);
    const problem = pick(topic.problems);
    const colloquial = rand() < 0.4;
    const title = colloquial
      ? `${product}${process}后${problem}，怎么办`
      : `${product}${process}过程${problem}问题攻关与${pick(topic.goals)}`;
    const description = colloquial
      ? `${pick(colloquialOpeners)}做${product}好几年了，${process}这一步一直${problem}，客户意见大。想请专家来看看原因，帮我们${pick(topic.goals)}。`
      : `针对${product}${process}环节存在的${problem}问题，拟委托专业团队开展技术攻关，明确机理，优化工艺参数，实现${pick(topic.goals)}，形成可推广的技术规程。`;
    const deadline = new Date(Date.UTC(2027, Math.floor(rand() * 12), 1 + Math.floor(rand() * 27)));
    return {
      key: `bench-c${i}`,
      title: `${title}（${i}）`.slice(0, 100),
      description,
      industry: topic.industry,
      region_code: pick(regions),
      budget_wan: 5 + Math.floor(rand() * 300),
      deadline: deadline.toISOString().slice(0, 10),
      ...(sizes.enterprises > 0
        ? { enterprise_key: `bench-e${Math.floor(rand() * sizes.enterprises)}` }
        : {}),
    };
  });
  return { name: 'bench', societies, enterprises, experts, challenges };
}

/** Short queries people type, for search load. */
export function benchQueries(seed = 7, count = 200): string[] {
  const rand = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  return Array.from({ length: count }, () => {
    const topic = pick(topics);
    const r = rand();
    if (r < 0.4) return `${pick(topic.products)}${pick(topic.processes)}`;
    if (r < 0.7) return pick(topic.products);
    return `${pick(topic.processes)} ${pick(topic.problems)}`;
  });
}
