#!/usr/bin/env python3
"""Builds data/penalty/psapl-2025.json and psapl-2012.json.

Source: ../shared/reference/psapl-articles.json (2025 revision, structured) and the
2012 text (LawRefBook/Laws 行政法/治安管理处罚法.md, commit 3cd6e86b…), transcribed
below as short penalty clauses. Every tier's structured penalty is *parsed from its
statutory text* and, for 2025, compared with the reference JSON's structured fields;
any disagreement stops the build. Fixes to the reference data are listed in FIXES and
in data/penalty/README.md.

Run: python3 scripts/penalty/build_catalog.py [path/to/psapl-articles.json]
"""
import json, re, sys, os

REF = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '../../../shared/reference/psapl-articles.json')
OUT = os.path.join(os.path.dirname(__file__), '../../data/penalty')

CN = {'一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

def cn_num(s):
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch in CN:
            cur = CN[ch]
        elif ch == '十':
            total += (cur or 1) * 10; cur = 0
        elif ch == '百':
            total += cur * 100; cur = 0
        elif ch == '千':
            total += cur * 1000; cur = 0
        elif ch == '万':
            total = (total + cur) * 10000; cur = 0
        else:
            raise ValueError(s)
    return total + cur

N = r'([一二三四五六七八九十百千万]+)'

def parse_range(s, unit):
    """'五日以上十日以下' -> (5, 10); '五日以下' -> (None, 5)."""
    m = re.fullmatch(N + unit + '以上' + N + unit + '以下', s)
    if m:
        return (cn_num(m.group(1)), cn_num(m.group(2)))
    m = re.fullmatch(N + unit + '以下', s)
    if m:
        return (None, cn_num(m.group(1)))
    raise ValueError('range ' + s)

def parse_penalty(text):
    """Parses a statutory clause such as '处五日以上十日以下拘留，可以并处一千元以下罚款'
    into {form, warning, detention, fine}. Forms: warning, warning_or_fine,
    detention_or_warning, detention, detention_or_fine, detention_opt_fine,
    detention_and_fine, fine."""
    t = text
    for p in ('对其直接负责的主管人员和其他直接责任人员', '可以'):
        if t.startswith(p):
            t = t[len(p):]
    t = re.sub(r'，可以同时责令.*$', '', t)
    assert t.startswith('处'), text
    t = t[1:]
    if t == '警告':
        return dict(form='warning', warning=True, detention=None, fine=None)
    m = re.fullmatch(r'警告或者(.+)元以下罚款', t)
    if m:
        return dict(form='warning_or_fine', warning=True, detention=None, fine=parse_range(m.group(1) + '元以下', '元'))
    m = re.fullmatch(r'(.+日以下)拘留或者警告', t)
    if m:
        return dict(form='detention_or_warning', warning=True, detention=parse_range(m.group(1), '日'), fine=None)
    m = re.fullmatch(r'(.+日以下)拘留或者(.+元以下)罚款', t)
    if m:
        return dict(form='detention_or_fine', warning=False, detention=parse_range(m.group(1), '日'), fine=parse_range(m.group(2), '元'))
    m = re.fullmatch(r'(.+日以下)拘留，可以并处(.+元以下)罚款', t)
    if m:
        return dict(form='detention_opt_fine', warning=False, detention=parse_range(m.group(1), '日'), fine=parse_range(m.group(2), '元'))
    m = re.fullmatch(r'(.+日以下)拘留，并处(.+元以下)罚款', t)
    if m:
        return dict(form='detention_and_fine', warning=False, detention=parse_range(m.group(1), '日'), fine=parse_range(m.group(2), '元'))
    m = re.fullmatch(r'(.+日以下)拘留', t)
    if m:
        return dict(form='detention', warning=False, detention=parse_range(m.group(1), '日'), fine=None)
    m = re.fullmatch(r'(.+元以下)罚款', t)
    if m:
        return dict(form='fine', warning=False, detention=None, fine=parse_range(m.group(1), '元'))
    m = re.fullmatch(r'违法所得一倍以上五倍以下罚款', t)
    if m:
        return dict(form='fine', warning=False, detention=None, fine=(1000, 3000),
                     fine_multiplier=dict(min_times=1, max_times=5, fallback_below_yuan=1000,
                                          fallback_text_zh='没有违法所得或者违法所得不足一千元的，处一千元以上三千元以下罚款'))
    raise ValueError('cannot parse: ' + text)

def tier_out(tier, trigger, text, penalty, measures=None, discretionary=False):
    d = penalty.get('detention')
    f = penalty.get('fine')
    out = dict(tier=tier, trigger_zh=trigger, text_zh=text, form=penalty['form'], warning=penalty['warning'],
               detention_days=None if d is None else [d[0] if d[0] is not None else 1, d[1]],
               detention_min_statutory=bool(d and d[0] is not None),
               fine_yuan=None if f is None else [f[0] if f[0] is not None else 0, f[1]],
               fine_min_statutory=bool(f and f[0] is not None))
    if 'fine_multiplier' in penalty:
        out['fine_multiplier'] = penalty['fine_multiplier']
    if discretionary:
        out['discretionary'] = True
    if measures:
        out['measures_zh'] = measures
    return out

# ---------------------------------------------------------------- cross-check 2025
MODE = {'warning': (True, None), 'warning_or_fine': (True, 'alternative'), 'detention_or_warning': (True, None),
        'detention': (False, None), 'detention_or_fine': (False, 'alternative'), 'detention_opt_fine': (False, 'optional_addon'),
        'detention_and_fine': (False, 'mandatory_addon'), 'fine': (False, 'fine_only')}

def check_2025(rule_id, t, p, problems):
    w, mode = MODE[p['form']]
    d, f = p['detention'], p['fine']
    exp = dict(warning_allowed=w,
               detention_days_max=None if d is None else d[1],
               detention_days_min=None if d is None else (d[0] if d[0] is not None else 1),
               fine_yuan_max=None if f is None or 'fine_multiplier' in p else f[1],
               fine_yuan_min=None if f is None or 'fine_multiplier' in p else f[0],
               fine_mode=None if 'fine_multiplier' in p else mode)
    if 'fine_multiplier' in p:
        exp['fine_mode'] = 'fine_only'
    for k, v in exp.items():
        if t.get(k) != v:
            problems.append(f'{rule_id} {t["tier"]}: {k} = {t.get(k)!r} but the text "{t["statutory_text"]}" says {v!r}')

# ---------------------------------------------------------------- fixes to the 2025 reference
ITEMS_FIX = {
    # articles whose items the reference left empty although the text enumerates them
    67: [(1, '明知住宿人员违反规定将危险物质带入住宿区域，不予制止', 'knowingly letting a guest bring dangerous substances in', 3),
         (2, '明知住宿人员是犯罪嫌疑人员或者被通缉人员，不向公安机关报告', 'not reporting a guest known to be a suspect or wanted person', 3),
         (3, '明知住宿人员利用旅馆实施犯罪活动，不向公安机关报告', 'not reporting a guest known to use the hotel for crime', 3)],
    75: [(1, '刻划、涂污或者以其他方式故意损坏国家保护的文物、名胜古迹', 'defacing or damaging protected cultural relics or scenic/historic sites', 1),
         (2, '违反国家规定，在文物保护单位附近进行爆破、钻探、挖掘等活动，危及文物安全', 'blasting, drilling or digging near a protected site, endangering it', 1)],
    76: [(1, '偷开他人机动车', "taking another's motor vehicle without permission", 1),
         (2, '未取得驾驶证驾驶或者偷开他人航空器、机动船舶', "piloting an aircraft or motor vessel without a licence, or taking another's", 1)],
    77: [(1, '故意破坏、污损他人坟墓或者毁坏、丢弃他人尸骨、骨灰', 'desecrating graves or destroying/discarding remains or ashes', 1),
         (2, '在公共场所停放尸体或者因停放尸体影响他人正常生活、工作秩序，不听劝阻', 'leaving a corpse in a public place, refusing to stop', 1)],
}

FIXES = [
    '第67、75、76、77条：参考数据 items 为空，而原文列有（一）（二）/（一）至（三）项；已补全各项（违法行为代码需要）。',
    '第52条：penalty_clauses_2012 只列了两个残句且顺序颠倒；2012 年第44条原文为「猥亵他人的，或者在公共场所故意裸露身体，情节恶劣的，处五日以上十日以下拘留；猥亵智力残疾人、精神病人、不满十四周岁的人或者有其他严重情节的，处十日以上十五日以下拘留」。已按原文拆为 44-1（猥亵）与 44-2（裸露，仅「情节恶劣」档），并注明 2025 年第52条第2款一般情形（警告或五百元以下罚款）在 2012 年法中无对应罚则。',
    '第85条：old_article_2012=73 只对应第1款；第2款（容留吸毒、介绍买卖毒品）在 2012 年法中无对应条文（参考数据 notes_zh 已提示，但对应关系按整条标注）。已按款分别映射。',
    '第65条第2款后句（被取缔一年以内又实施）：2012 年法无此加重规定；映射为 2012 年第54条第1款基础档（再次擅自经营仍属第54条第1款第3项）。',
    '第67条：2012 年第56条第1款同时规定不登记与「明知危险物质带入不制止」（罚200–500元，无加重档），第2款为明知犯罪嫌疑人不报告（有情节严重档）；参考数据把 2025 年第67条整体对应第56条。已按项映射：67-3 第1项→56-1，第2项→56-2，第3项（明知利用旅馆犯罪不报告）2012 年无对应。',
    '第88条：2012 年第58条为「处警告；警告后不改正的，处二百元以上五百元以下罚款」；2025 年第88条已把「经劝阻、调解和处理未能制止」作为构成要件。映射为 2012 年第58条「警告后不改正」档（〔存疑〕需法制部门确认）。',
    '第89条：参考数据把整条对应 2012 年第75条；实际只有第1款（饲养动物干扰他人）与第4款（驱使动物伤人）有对应，第2、3款为 2025 年新增。已按款映射。',
    '第28条第2款后句（违反禁入规定进入场馆可处拘留或罚款）：2012 年第24条只规定「强行带离现场」，无罚则；映射为无对应。',
    '第40条第3款（干扰公共交通工具正常行驶）：2012 年第34条无此款；映射为无对应（参考数据按整条对应第34条）。',
    '第31条第3项、第32条第3项、第33条第5项、第43条第4、5项、第53条第2项、第63条第2项、第67条第3款第3项：2025 年新增的项，2012 年法无对应；按项映射为无对应（参考数据按整条对应）。',
    '第89条第2款：参考数据把「警告后不改正的，或者致使动物伤害他人的」与「情节较重」两档都标为 heavier（同一款有三级）；目录中标为 lighter（警告）/ base（警告后不改正或致使动物伤害他人）/ heavier（情节较重），以便逐档引用。',
    '第50条第2款后句（违反禁止接触令）、第84条第3、4款：2025 年新增，2012 年无对应。第80条第2款、第81条第3款、第84条第2款的从重规定为 2025 年新增，但其行为在 2012 年法中按第68条、第69条、第72条处罚（不从重）；已按此映射。',
]

# ---------------------------------------------------------------- 2012 catalog (transcribed)
# (rule_id, paragraph, name_zh, subject_zh, [(tier, trigger, text)], kind, extra)
OLD = {
 23: ('扰乱单位、公共场所、公共交通工具秩序，非法拦截、强登扒乘交通工具，破坏选举秩序', [
     ('23-1', 1, '第一款（一）至（五）项', None, [('base', None, '处警告或者二百元以下罚款'), ('heavier', '情节较重', '处五日以上十日以下拘留，可以并处五百元以下罚款')]),
     ('23-2', 2, '聚众实施第一款行为的首要分子', '首要分子', [('base', None, '处十日以上十五日以下拘留，可以并处一千元以下罚款')])]),
 24: ('扰乱文化、体育等大型群众性活动秩序', [
     ('24-1', 1, '第一款（一）至（六）项', None, [('base', None, '处警告或者二百元以下罚款'), ('heavier', '情节严重', '处五日以上十日以下拘留，可以并处五百元以下罚款')]),
     ('24-2', 2, '因扰乱体育比赛秩序被处以拘留处罚的', None, 'measure', ['可以同时责令其十二个月内不得进入体育场馆观看同类比赛；违反规定进入体育场馆的，强行带离现场'])]),
 25: ('散布谣言、谎报险情疫情警情，投放虚假危险物质，扬言实施放火爆炸', [
     ('25-1', 1, '（一）至（三）项', None, [('base', None, '处五日以上十日以下拘留，可以并处五百元以下罚款'), ('lighter', '情节较轻', '处五日以下拘留或者五百元以下罚款')])]),
 26: ('寻衅滋事', [
     ('26-1', 1, '（一）至（四）项', None, [('base', None, '处五日以上十日以下拘留，可以并处五百元以下罚款'), ('heavier', '情节较重', '处十日以上十五日以下拘留，可以并处一千元以下罚款')])]),
 27: ('组织、教唆、胁迫、诱骗、煽动从事邪教、会道门活动；冒用宗教、气功名义', [
     ('27-1', 1, '（一）（二）项', None, [('base', None, '处十日以上十五日以下拘留，可以并处一千元以下罚款'), ('lighter', '情节较轻', '处五日以上十日以下拘留，可以并处五百元以下罚款')])]),
 28: ('故意干扰无线电业务正常进行，对无线电台（站）产生有害干扰拒不消除', [
     ('28-1', 1, '干扰无线电业务或有害干扰拒不消除', None, [('base', None, '处五日以上十日以下拘留'), ('heavier', '情节严重', '处十日以上十五日以下拘留')])]),
 29: ('非法侵入、破坏计算机信息系统，制作传播破坏性程序', [
     ('29-1', 1, '（一）至（四）项', None, [('base', None, '处五日以下拘留'), ('heavier', '情节较重', '处五日以上十日以下拘留')])]),
 30: ('违反国家规定制造、买卖、储存、运输、邮寄、携带、使用、提供、处置危险物质', [
     ('30-1', 1, '处置危险物质', None, [('base', None, '处十日以上十五日以下拘留'), ('lighter', '情节较轻', '处五日以上十日以下拘留')])]),
 31: ('危险物质被盗、被抢或者丢失未按规定报告、故意隐瞒不报', [
     ('31-1', 1, '危险物质被盗、被抢或者丢失', None, [('base', '未按规定报告的', '处五日以下拘留'), ('heavier', '故意隐瞒不报的', '处五日以上十日以下拘留')])]),
 32: ('非法携带枪支、弹药或者弩、匕首等管制器具', [
     ('32-1', 1, '非法携带枪支、弹药或者管制器具', None, [('base', None, '处五日以下拘留，可以并处五百元以下罚款'), ('lighter', '情节较轻', '处警告或者二百元以下罚款')]),
     ('32-2', 2, '非法携带上述物品进入公共场所或者公共交通工具', None, [('base', None, '处五日以上十日以下拘留，可以并处五百元以下罚款')])]),
 33: ('盗窃、损毁公共设施，移动损毁边境标志，非法影响国（边）界线走向', [
     ('33-1', 1, '（一）至（三）项', None, [('base', None, '处十日以上十五日以下拘留')])]),
 34: ('破坏航空设施、强闯驾驶舱，航空器上使用影响导航器具', [
     ('34-1', 1, '盗窃、损坏、擅自移动使用中的航空设施，或者强行进入航空器驾驶舱', None, [('base', None, '处十日以上十五日以下拘留')]),
     ('34-2', 2, '在使用中的航空器上使用可能影响导航系统正常功能的器具、工具，不听劝阻', None, [('base', None, '处五日以下拘留或者五百元以下罚款')])]),
 35: ('危害铁路安全', [
     ('35-1', 1, '（一）至（四）项', None, [('base', None, '处五日以上十日以下拘留，可以并处五百元以下罚款'), ('lighter', '情节较轻', '处五日以下拘留或者五百元以下罚款')])]),
 36: ('擅自进入铁路防护网，在铁路线路上行走坐卧、抢越铁路', [
     ('36-1', 1, '影响行车安全的', None, [('base', None, '处警告或者二百元以下罚款')])]),
 37: ('违规安装使用电网、施工不设警示、盗窃损毁井盖照明等公共设施', [
     ('37-1', 1, '（一）至（三）项', None, [('base', None, '处五日以下拘留或者五百元以下罚款'), ('heavier', '情节严重', '处五日以上十日以下拘留，可以并处五百元以下罚款')])]),
 38: ('举办大型群众性活动违反有关规定有发生安全事故危险', [
     ('38-1', 1, '有发生安全事故危险的', '组织者', [('base', None, '处五日以上十日以下拘留，并处二百元以上五百元以下罚款'), ('lighter', '情节较轻', '处五日以下拘留或者五百元以下罚款')])]),
 39: ('公众活动场所违反安全规定，经责令改正拒不改正', [
     ('39-1', 1, '致使该场所有发生安全事故危险，经责令改正拒不改正的', '经营管理人员', [('base', None, '处五日以下拘留')])]),
 40: ('组织胁迫诱骗不满十六周岁的人或者残疾人进行恐怖、残忍表演，强迫劳动，非法限制人身自由、侵入住宅、搜查身体', [
     ('40-1', 1, '（一）至（三）项', None, [('base', None, '处十日以上十五日以下拘留，并处五百元以上一千元以下罚款'), ('lighter', '情节较轻', '处五日以上十日以下拘留，并处二百元以上五百元以下罚款')])]),
 41: ('胁迫、诱骗或利用他人乞讨；以滋扰方式乞讨', [
     ('41-1', 1, '胁迫、诱骗或者利用他人乞讨', None, [('base', None, '处十日以上十五日以下拘留，可以并处一千元以下罚款')]),
     ('41-2', 2, '反复纠缠、强行讨要或者以其他滋扰他人的方式乞讨', None, [('base', None, '处五日以下拘留或者警告')])]),
 42: ('威胁人身安全、侮辱诽谤、诬告陷害、打击报复证人、发送信息干扰他人、侵犯隐私', [
     ('42-1', 1, '（一）至（六）项', None, [('base', None, '处五日以下拘留或者五百元以下罚款'), ('heavier', '情节较重', '处五日以上十日以下拘留，可以并处五百元以下罚款')])]),
 43: ('殴打他人、故意伤害他人身体', [
     ('43-1', 1, '殴打他人的，或者故意伤害他人身体的（加重档见第二款）', None, [('base', None, '处五日以上十日以下拘留，并处二百元以上五百元以下罚款'), ('lighter', '情节较轻', '处五日以下拘留或者五百元以下罚款'),
       ('heavier', '第二款：（一）结伙殴打、伤害他人；（二）殴打、伤害残疾人、孕妇、不满十四周岁的人或者六十周岁以上的人；（三）多次殴打、伤害他人或者一次殴打、伤害多人', '处十日以上十五日以下拘留，并处五百元以上一千元以下罚款')])]),
 44: ('猥亵他人；在公共场所故意裸露身体，情节恶劣', [
     ('44-1', 1, '猥亵他人', None, [('base', None, '处五日以上十日以下拘留'), ('heavier', '猥亵智力残疾人、精神病人、不满十四周岁的人或者有其他严重情节的', '处十日以上十五日以下拘留')]),
     ('44-2', 1, '在公共场所故意裸露身体（仅情节恶劣的处罚）', None, [('heavier', '情节恶劣', '处五日以上十日以下拘留')])]),
 45: ('虐待家庭成员，遗弃被扶养人', [
     ('45-1', 1, '（一）（二）项', None, [('base', None, '处五日以下拘留或者警告')])]),
 46: ('强买强卖商品，强迫他人提供或接受服务', [
     ('46-1', 1, '强买强卖、强迫交易', None, [('base', None, '处五日以上十日以下拘留，并处二百元以上五百元以下罚款'), ('lighter', '情节较轻', '处五日以下拘留或者五百元以下罚款')])]),
 47: ('煽动民族仇恨、民族歧视，刊载民族歧视、侮辱内容', [
     ('47-1', 1, '煽动民族仇恨、民族歧视或刊载民族歧视、侮辱内容', None, [('base', None, '处十日以上十五日以下拘留，可以并处一千元以下罚款')])]),
 48: ('冒领、隐匿、毁弃、私自开拆或者非法检查他人邮件', [
     ('48-1', 1, '邮件', None, [('base', None, '处五日以下拘留或者五百元以下罚款')])]),
 49: ('盗窃、诈骗、哄抢、抢夺、敲诈勒索或者故意损毁公私财物', [
     ('49-1', 1, '盗窃、诈骗、哄抢、抢夺、敲诈勒索或者故意损毁公私财物', None, [('base', None, '处五日以上十日以下拘留，可以并处五百元以下罚款'), ('heavier', '情节较重', '处十日以上十五日以下拘留，可以并处一千元以下罚款')])]),
 50: ('拒不执行紧急状态决定命令、阻碍执行职务、阻碍特种车辆通行、冲闯警戒带警戒区', [
     ('50-1', 1, '（一）至（四）项', None, [('base', None, '处警告或者二百元以下罚款'), ('heavier', '情节严重', '处五日以上十日以下拘留，可以并处五百元以下罚款')]),
     ('50-2', 2, '阻碍人民警察依法执行职务的', None, 'aggravate', '50-1')]),
 51: ('冒充国家机关工作人员或者以其他虚假身份招摇撞骗', [
     ('51-1', 1, '冒充国家机关工作人员或者以其他虚假身份招摇撞骗', None, [('base', None, '处五日以上十日以下拘留，可以并处五百元以下罚款'), ('lighter', '情节较轻', '处五日以下拘留或者五百元以下罚款')]),
     ('51-2', 2, '冒充军警人员招摇撞骗的', None, 'aggravate', '51-1')]),
 52: ('伪造、变造、买卖、使用伪造变造的公文、证件、印章，伪造倒卖票证，伪造变造船舶户牌', [
     ('52-1', 1, '（一）至（四）项', None, [('base', None, '处十日以上十五日以下拘留，可以并处一千元以下罚款'), ('lighter', '情节较轻', '处五日以上十日以下拘留，可以并处五百元以下罚款')])]),
 53: ('船舶擅自进入、停靠国家禁止、限制进入的水域或岛屿', [
     ('53-1', 1, '船舶擅自进入、停靠禁止、限制进入的水域或者岛屿', '船舶负责人及有关责任人员', [('base', None, '处五百元以上一千元以下罚款'), ('heavier', '情节严重', '处五日以下拘留，并处五百元以上一千元以下罚款')])]),
 54: ('非法以社会团体名义活动，被撤销登记的社会团体继续活动，擅自经营公安许可行业', [
     ('54-1', 1, '（一）至（三）项', None, [('base', None, '处十日以上十五日以下拘留，并处五百元以上一千元以下罚款'), ('lighter', '情节较轻', '处五日以下拘留或者五百元以下罚款')]),
     ('54-2', 2, '有前款第三项行为的', None, 'measure', ['予以取缔']),
     ('54-3', 3, '取得公安机关许可的经营者，违反国家有关管理规定，情节严重的', None, 'measure', ['公安机关可以吊销许可证'])]),
 55: ('煽动、策划非法集会、游行、示威，不听劝阻', [
     ('55-1', 1, '不听劝阻的', None, [('base', None, '处十日以上十五日以下拘留')])]),
 56: ('旅馆业工作人员不按规定登记、不制止带入危险物质、明知犯罪嫌疑人不报告', [
     ('56-1', 1, '不按规定登记旅客姓名、身份证件种类和号码，或者明知旅客将危险物质带入旅馆不予制止', '旅馆业的工作人员', [('base', None, '处二百元以上五百元以下罚款')]),
     ('56-2', 2, '明知住宿的旅客是犯罪嫌疑人员或者被公安机关通缉的人员，不向公安机关报告', '旅馆业的工作人员', [('base', None, '处二百元以上五百元以下罚款'), ('heavier', '情节严重', '处五日以下拘留，可以并处五百元以下罚款')])]),
 57: ('房屋出租人出租给无身份证件的人、不登记承租人信息；明知承租人利用出租房屋犯罪不报告', [
     ('57-1', 1, '出租给无身份证件的人居住，或不按规定登记承租人姓名、身份证件种类和号码', '房屋出租人', [('base', None, '处二百元以上五百元以下罚款')]),
     ('57-2', 2, '明知承租人利用出租房屋进行犯罪活动，不向公安机关报告', '房屋出租人', [('base', None, '处二百元以上五百元以下罚款'), ('heavier', '情节严重', '处五日以下拘留，可以并处五百元以下罚款')])]),
 58: ('制造噪声干扰他人正常生活', [
     ('58-1', 1, '违反关于社会生活噪声污染防治的法律规定，制造噪声干扰他人正常生活', None, [('base', None, '处警告'), ('heavier', '警告后不改正的', '处二百元以上五百元以下罚款')])]),
 59: ('典当业不查验登记、不报告，违规收购废旧专用器材、赃物或禁止收购的物品', [
     ('59-1', 1, '（一）至（四）项', None, [('base', None, '处五百元以上一千元以下罚款'), ('heavier', '情节严重', '处五日以上十日以下拘留，并处五百元以上一千元以下罚款')])]),
 60: ('隐藏转移变卖损毁被扣押查封冻结财物、伪造隐匿毁灭证据、窝藏转移销售赃物、被监管人员违反监督管理规定', [
     ('60-1', 1, '（一）至（四）项', None, [('base', None, '处五日以上十日以下拘留，并处二百元以上五百元以下罚款')])]),
 61: ('协助组织或者运送他人偷越国（边）境', [
     ('61-1', 1, '协助组织或者运送他人偷越国（边）境', None, [('base', None, '处十日以上十五日以下拘留，并处一千元以上五千元以下罚款')])]),
 62: ('为偷越国（边）境人员提供条件；偷越国（边）境', [
     ('62-1', 1, '为偷越国（边）境人员提供条件', None, [('base', None, '处五日以上十日以下拘留，并处五百元以上二千元以下罚款')]),
     ('62-2', 2, '偷越国（边）境', None, [('base', None, '处五日以下拘留或者五百元以下罚款')])]),
 63: ('故意损坏文物、名胜古迹，在文物保护单位附近违规爆破挖掘', [
     ('63-1', 1, '（一）（二）项', None, [('base', None, '处警告或者二百元以下罚款'), ('heavier', '情节较重', '处五日以上十日以下拘留，并处二百元以上五百元以下罚款')])]),
 64: ('偷开他人机动车；无驾驶证驾驶或偷开他人航空器、机动船舶', [
     ('64-1', 1, '（一）（二）项', None, [('base', None, '处五百元以上一千元以下罚款'), ('heavier', '情节严重', '处十日以上十五日以下拘留，并处五百元以上一千元以下罚款')])]),
 65: ('破坏污损他人坟墓、毁坏丢弃尸骨骨灰；在公共场所停放尸体不听劝阻', [
     ('65-1', 1, '（一）（二）项', None, [('base', None, '处五日以上十日以下拘留'), ('heavier', '情节严重', '处十日以上十五日以下拘留，可以并处一千元以下罚款')])]),
 66: ('卖淫、嫖娼；在公共场所拉客招嫖', [
     ('66-1', 1, '卖淫、嫖娼', None, [('base', None, '处十日以上十五日以下拘留，可以并处五千元以下罚款'), ('lighter', '情节较轻', '处五日以下拘留或者五百元以下罚款')]),
     ('66-2', 2, '在公共场所拉客招嫖', None, [('base', None, '处五日以下拘留或者五百元以下罚款')])]),
 67: ('引诱、容留、介绍他人卖淫', [
     ('67-1', 1, '引诱、容留、介绍他人卖淫', None, [('base', None, '处十日以上十五日以下拘留，可以并处五千元以下罚款'), ('lighter', '情节较轻', '处五日以下拘留或者五百元以下罚款')])]),
 68: ('制作、运输、复制、出售、出租淫秽物品，传播淫秽信息', [
     ('68-1', 1, '淫秽物品、淫秽信息', None, [('base', None, '处十日以上十五日以下拘留，可以并处三千元以下罚款'), ('lighter', '情节较轻', '处五日以下拘留或者五百元以下罚款')])]),
 69: ('组织播放淫秽音像、组织或进行淫秽表演、参与聚众淫乱；明知而提供条件', [
     ('69-1', 1, '（一）至（三）项', None, [('base', None, '处十日以上十五日以下拘留，并处五百元以上一千元以下罚款')]),
     ('69-2', 2, '明知他人从事前款活动，为其提供条件的', None, 'refer', '69-1')]),
 70: ('以营利为目的为赌博提供条件；参与赌博赌资较大', [
     ('70-1', 1, '为赌博提供条件或者参与赌博赌资较大', None, [('base', None, '处五日以下拘留或者五百元以下罚款'), ('heavier', '情节严重', '处十日以上十五日以下拘留，并处五百元以上三千元以下罚款')])]),
 71: ('非法种植少量毒品原植物，非法买卖运输携带持有未灭活种子幼苗，非法运输买卖储存使用少量罂粟壳', [
     ('71-1', 1, '（一）至（三）项', None, [('base', None, '处十日以上十五日以下拘留，可以并处三千元以下罚款'), ('lighter', '情节较轻', '处五日以下拘留或者五百元以下罚款')]),
     ('71-2', 2, '有前款第一项行为，在成熟前自行铲除的', None, 'no_penalty', None)]),
 72: ('非法持有少量毒品、向他人提供毒品、吸食注射毒品、胁迫欺骗医务人员开具麻醉精神药品', [
     ('72-1', 1, '（一）至（四）项', None, [('base', None, '处十日以上十五日以下拘留，可以并处二千元以下罚款'), ('lighter', '情节较轻', '处五日以下拘留或者五百元以下罚款')])]),
 73: ('教唆、引诱、欺骗他人吸食、注射毒品', [
     ('73-1', 1, '教唆、引诱、欺骗他人吸食、注射毒品', None, [('base', None, '处十日以上十五日以下拘留，并处五百元以上二千元以下罚款')])]),
 74: ('旅馆业、饮食服务业、文化娱乐业、出租汽车业等单位人员在查处吸毒赌博卖淫嫖娼时通风报信', [
     ('74-1', 1, '为违法犯罪行为人通风报信', None, [('base', None, '处十日以上十五日以下拘留')])]),
 75: ('饲养动物干扰他人；驱使动物伤害他人', [
     ('75-1', 1, '饲养动物，干扰他人正常生活', None, [('base', None, '处警告'), ('heavier', '警告后不改正的，或者放任动物恐吓他人的', '处二百元以上五百元以下罚款')]),
     ('75-2', 2, '驱使动物伤害他人的', None, 'refer', '43-1')]),
 76: ('有第六十七条、第六十八条、第七十条的行为屡教不改', [
     ('76-1', 1, '屡教不改的', None, 'measure', ['可以按照国家规定采取强制性教育措施（非治安管理处罚）'])]),
}

# 2025 rule -> 2012 mapping. Value: list of (items or None, old rule or None, tier map or None)
# tier map: {new_tier: old_tier or None}; missing entries use the same tier if the old rule
# has it, else 'base'.
MAP = {
 '26-1': [(None, '23-1', None)], '26-2': [(None, '23-2', None)], '28-1': [(None, '24-1', None)], '28-3': [(None, None, None)],
 '29-1': [(None, '25-1', None)], '30-1': [(None, '26-1', None)],
 '31-1': [([1, 2], '27-1', None), ([3], None, None)], '32-1': [([1, 2], '28-1', None), ([3], None, None)],
 '33-1': [([1, 2, 3, 4], '29-1', None), ([5], None, None)],
 '36-1': [(None, '30-1', None)], '37-1': [(None, '31-1', None)], '38-1': [(None, '32-1', None)], '38-2': [(None, '32-2', None)],
 '39-1': [(None, '33-1', None)], '40-1': [(None, '34-1', None)], '40-2': [(None, '34-2', None)], '40-3': [(None, None, None)],
 '41-1': [(None, '35-1', None)], '42-1': [(None, '36-1', None)], '43-1': [([1, 2, 3], '37-1', None), ([4, 5], None, None)],
 '44-1': [(None, '38-1', None)], '45-1': [(None, '39-1', None)], '47-1': [(None, '40-1', None)],
 '49-1': [(None, '41-1', None)], '49-2': [(None, '41-2', None)], '50-1': [(None, '42-1', None)], '50-3': [(None, None, None)],
 '51-1': [(None, '43-1', None)], '52-1': [(None, '44-1', None)], '52-2': [(None, '44-2', {'base': None, 'heavier': 'heavier'})],
 '53-1': [([1, 3], '45-1', None), ([2], None, None)], '54-1': [(None, '46-1', None)], '55-1': [(None, '47-1', None)],
 '57-1': [(None, '48-1', None)], '58-1': [(None, '49-1', None)], '59-1': [(None, '49-1', None)],
 '61-1': [(None, '50-1', None)], '61-2': [(None, '50-2', None)], '62-1': [(None, '51-1', None)], '62-2': [(None, '51-2', None)], '62-3': [(None, '51-1', None)],
 '63-1': [([1, 3, 4, 5], '52-1', None), ([2], None, None)], '64-1': [(None, '53-1', None)], '65-1': [(None, '54-1', None)],
 '65-3': [(None, '54-1', {'heavier': 'base'})], '66-1': [(None, '55-1', None)], '67-1': [(None, '56-1', None)],
 '67-3': [([1], '56-1', None), ([2], '56-2', None), ([3], None, None)], '68-1': [(None, '57-1', None)], '68-2': [(None, '57-2', None)],
 '71-1': [(None, '59-1', None)], '72-1': [(None, '60-1', None)], '75-1': [(None, '63-1', None)], '76-1': [(None, '64-1', None)],
 '77-1': [(None, '65-1', None)], '78-1': [(None, '66-1', None)], '78-2': [(None, '66-2', None)], '79-1': [(None, '67-1', None)],
 '80-1': [(None, '68-1', None)], '81-1': [(None, '69-1', None)], '81-2': [(None, '69-2', None)], '82-1': [(None, '70-1', None)],
 '83-1': [(None, '71-1', None)], '83-2': [(None, '71-2', None)], '84-1': [(None, '72-1', None)], '85-1': [(None, '73-1', None)],
 '87-1': [(None, '74-1', None)], '88-1': [(None, '58-1', {'base': 'heavier', 'heavier': 'heavier'})], '89-1': [(None, '75-1', None)],
 '89-4': [(None, '75-2', None)],
 '80-2': [(None, '68-1', None)], '81-3': [(None, '69-1', None)], '84-2': [(None, '72-1', None)],
 '84-4': [(None, None, None)], '85-2': [(None, None, None)], '89-2': [(None, None, None)], '89-3': [(None, None, None)],
}
NOTE_OLD = {
 '51-1': '2012 年第43条第2款第2项为「六十周岁以上」，2025 年为「七十周岁以上」：被侵害人 60–69 岁的，两法适用的档次可能不同，须由办案人员分别判断档次。',
 '88-1': '〔存疑〕2012 年第58条「警告后不改正」档与 2025 年第88条构成要件的对应关系需法制部门确认。',
 '50-1': '2012 年第42条第5项只规定「多次发送……信息」；2025 年新增的滋扰、纠缠、跟踪行为在 2012 年法中无对应。',
 '87-1': '2012 年第74条只规定「通风报信」；「以其他方式提供条件」为 2025 年新增。',
 '44-1': '2012 年第38条处罚「组织者」，且不以「经责令改正拒不改正」为要件；2012 年有「情节较轻」档而无「情节较重」档。',
}

def build_old():
    arts = []
    for art, (title, rules) in sorted(OLD.items()):
        out_rules = []
        for r in rules:
            rid, para, applies, subject, body = r[0], r[1], r[2], r[3], r[4]
            rule = dict(code=rid, paragraph=para, applies_to_zh=applies, subject_zh=subject or '违反治安管理行为人')
            if isinstance(body, list):
                rule['kind'] = 'penalty'
                rule['tiers'] = [tier_out(t, trig, txt, parse_penalty(txt)) for (t, trig, txt) in body]
            else:
                rule['kind'] = body
                extra = r[5]
                if body == 'measure':
                    rule['measures_zh'] = extra
                elif body in ('aggravate', 'refer'):
                    rule['refers_to'] = extra
            out_rules.append(rule)
        arts.append(dict(article=art, title_zh=title, items=[], rules=out_rules))
    return dict(law_zh='中华人民共和国治安管理处罚法', version='2012', title_zh='2012年修正（2012-10-26，2013-01-01施行）',
                effective_from='2013-01-01', effective_to='2025-12-31',
                source='LawRefBook/Laws 行政法/治安管理处罚法.md (commit 3cd6e86b80f0fac5478dc34216c80e8c0a82b9f0), 2012-10-26 amendment',
                general={'minor_exempt_age': 14, 'prior_penalty_months': 6, 'art_reduce': 19, 'art_aggravate': 20, 'art_not_executed': 21, 'art_limitation': 22},
                articles=arts)

def build_new(ref):
    problems = []
    arts = []
    old_rules = {r[0]: r for _, (_, rules) in OLD.items() for r in rules}
    for a in ref:
        art = a['article']
        items = [dict(item=i['item'], name_zh=i['name_zh'], name_en=i['name_en']) for i in a['items']]
        item_rule = {}
        if art in ITEMS_FIX:
            assert not items, art
            items = [dict(item=n, name_zh=zh, name_en=en) for (n, zh, en, _) in ITEMS_FIX[art]]
            item_rule = {n: rule for (n, _, _, rule) in ITEMS_FIX[art]}
        out_rules = []
        for r in a['rules']:
            rid = r['rule_id']
            rule = dict(code=rid, paragraph=r['paragraph'], applies_to_zh=r['applies_to_zh'], subject_zh=r['subject_zh'], kind=r['kind'])
            if r['kind'] == 'penalty':
                tiers = []
                for t in sorted(r['tiers'], key=lambda t: t['severity_rank']):
                    p = parse_penalty(t['statutory_text'])
                    check_2025(rid, t, p, problems)
                    tiers.append(tier_out(t['tier'], t.get('trigger_zh'), t['statutory_text'], p,
                                          measures=t.get('other_measures'), discretionary=t.get('discretionary', False)))
                if rid == '89-2':
                    # Three levels in one paragraph; the reference labels two of them 'heavier'.
                    assert [t['tier'] for t in tiers] == ['base', 'heavier', 'heavier'], tiers
                    tiers[0]['tier'], tiers[1]['tier'] = 'lighter', 'base'
                    tiers[0]['trigger_zh'] = '违反规定出售、饲养烈性犬等危险动物（处警告）'
                rule['tiers'] = tiers
                if r.get('other_measures'):
                    rule['measures_zh'] = r['other_measures']
            elif r['kind'] in ('aggravate', 'refer'):
                if r.get('refers_to_rule'):
                    rule['refers_to'] = r['refers_to_rule']
                rule['effect_zh'] = r.get('effect_zh')
            elif r['kind'] == 'measure':
                rule['measures_zh'] = r['other_measures']
            elif r['kind'] == 'directive':
                rule['measures_zh'] = r['other_measures']
            elif r['kind'] == 'no_penalty':
                rule['effect_zh'] = r.get('effect_zh')
            if item_rule:
                its = [n for n, ru in item_rule.items() if ru == r['paragraph']]
                if its and r['kind'] in ('penalty',):
                    rule['items'] = its
            elif items and r['kind'] in ('penalty',) and (r['paragraph'] == 1):
                rule['items'] = [i['item'] for i in items]
            # old-law mapping
            if r['kind'] in ('penalty', 'aggravate', 'refer', 'no_penalty'):
                m = MAP.get(rid)
                if m is None:
                    m = [(None, None, None)]
                    if not a.get('new_in_2025') and r['kind'] == 'penalty':
                        problems.append(f'{rid}: no 2012 mapping for a non-new article')
                olds = []
                for (its, old, tmap) in m:
                    e = dict(items=its, rule=old)
                    if old is not None:
                        assert old in old_rules, old
                    if tmap:
                        e['tiers'] = tmap
                    olds.append(e)
                rule['old_2012'] = olds
                if rid in NOTE_OLD:
                    rule['note_zh'] = NOTE_OLD[rid]
            out_rules.append(rule)
        arts.append(dict(article=art, title_zh=a['violation_name_zh'], title_en=a['violation_name_en'], items=items,
                         old_article_2012=a.get('old_article_2012'), rules=out_rules))
    return problems, dict(law_zh='中华人民共和国治安管理处罚法', version='2025', title_zh='2025年修订（2025-06-27修订，2026-01-01施行）',
                          effective_from='2026-01-01', effective_to=None,
                          source='shared/reference/psapl-articles.json, checked clause by clause against Jarvis-starcloud/law-ye-skill laws/治安管理处罚法.md (commit 4a3d1c64fe36d24d0661b54abe73a6ea8a17aa80)',
                          general={'minor_exempt_age': 14, 'prior_penalty_months': 12, 'art_reduce': 20, 'art_aggravate': 22, 'art_not_executed': 23, 'art_limitation': 25},
                          fixes_zh=FIXES, articles=arts)

def main():
    ref = json.load(open(REF))
    problems, new = build_new(ref)
    if problems:
        print('\n'.join(problems)); sys.exit(1)
    old = build_old()
    with open(os.path.join(OUT, 'psapl-2025.json'), 'w') as f:
        json.dump(new, f, ensure_ascii=False, indent=1); f.write('\n')
    with open(os.path.join(OUT, 'psapl-2012.json'), 'w') as f:
        json.dump(old, f, ensure_ascii=False, indent=1); f.write('\n')
    n_t = sum(len(r.get('tiers', [])) for a in new['articles'] for r in a['rules'])
    o_t = sum(len(r.get('tiers', [])) for a in old['articles'] for r in a['rules'])
    print(f"2025: {len(new['articles'])} articles, {n_t} tiers; 2012: {len(old['articles'])} articles, {o_t} tiers")

if __name__ == '__main__':
    main()
