#!/usr/bin/env python3
"""Generates data/penalty/standard-default.toml from data/penalty/psapl-2025.json.

The default discretion standard refines every penalty tier of the 2025 catalog into
situations (违法情形): one situation for a narrow range, at least three where the range
is wide (detention span >= 4 days, fine span >= 1000 yuan, or a choice between kinds).
Sub-ranges split the statutory range into lower / middle / upper bands; base values sit
in the band. Names are generic on purpose: a bureau replaces them with its own standard.
Hand-written situations for frequent articles override the generic ones (CUSTOM below).
"""
import json, os

HERE = os.path.dirname(__file__)
CAT = json.load(open(os.path.join(HERE, '../../data/penalty/psapl-2025.json')))
OUT = os.path.join(HERE, '../../data/penalty/standard-default.toml')

CIRC = [
    # code, zh, en, steps
    ('first_violation', '初次违反治安管理', 'first violation', -1),
    ('minor_harm', '危害后果轻微、损失较小', 'slight harm or small loss', -1),
    ('dispute_origin', '因民间纠纷引起', 'arose from a civil dispute', -1),
    ('victim_fault', '被侵害人有过错', 'the victim was at fault', -1),
    ('compensated', '已赔偿损失或退赔', 'losses compensated or returned', -1),
    ('secondary_role', '共同违法中起次要或者辅助作用（第十七条）', 'secondary or auxiliary role in a joint violation (art. 17)', -1),
    ('attempt_or_stopped', '预备、中止或者未遂', 'preparation, abandonment or attempt', -1),
    ('stopped_promptly', '经劝阻及时停止', 'stopped promptly when told', -1),
    ('multiple_acts', '多次实施或者持续时间较长', 'repeated or long-lasting acts', 1),
    ('refused_to_stop', '经劝阻、制止仍不停止', 'went on despite being told to stop', 1),
    ('public_impact', '在公共场所或者人员密集场所实施，造成较恶劣影响', 'in a public or crowded place with bad public impact', 1),
    ('vulnerable_victim', '针对未成年人、老年人、残疾人、孕妇等实施', 'against a minor, elderly, disabled or pregnant person', 1),
    ('tool_used', '使用工具、器械或者机动车实施', 'using tools, weapons or a motor vehicle', 1),
    ('large_amount', '涉案数额、数量较大', 'large amount or quantity involved', 1),
    ('organiser', '组织、策划或者积极参与', 'organiser, planner or active participant', 1),
]
LOW = ['first_violation', 'minor_harm', 'stopped_promptly']
HIGH = ['multiple_acts', 'refused_to_stop', 'public_impact']

def r10(x):
    step = 50 if x >= 200 else 10
    return int(round(x / step) * step)

def bands(lo, hi):
    """Three integer bands over [lo, hi] (inclusive), or one if too narrow."""
    span = hi - lo
    if span < 4:
        return [(lo, hi)]
    w = span // 3 if span >= 6 else 1
    return [(lo, lo + w), (lo + w + 1, hi - w - 1), (hi - w, hi)]

def fine_bands(lo, hi):
    """Bands over a fine range; without a statutory minimum the lowest band starts at
    50 yuan (10 yuan for ranges up to 500)."""
    if lo == 0 or lo == 1:
        lo = 50 if hi > 500 else 10
    span = hi - lo
    if span < 900:
        return [(lo, hi)]
    a = r10(lo + span * 0.3)
    b = r10(lo + span * 0.65)
    g = 50 if a >= 200 else 10
    return [(lo, a), (a + g, b), (b + g, hi)]

def base_in(band, frac):
    lo, hi = band
    return lo + int((hi - lo) * frac)

def fine_base(band, frac):
    lo, hi = band
    v = r10(lo + (hi - lo) * frac)
    return min(max(v, lo), hi)

NAMES = {
    'low': ('情节相对较轻（初次实施、危害较小、及时停止或者改正）', 'relatively minor within the tier (first act, little harm, stopped or corrected promptly)'),
    'mid': ('一般情形', 'typical case'),
    'high': ('情节相对较重（多次或者持续实施、危害较大、不听劝阻）', 'relatively serious within the tier (repeated or lasting acts, more harm, ignored warnings)'),
    'warn': ('情节轻微，以警告为宜', 'minor: a warning suffices'),
    'fine_low': ('以罚款为宜，危害较小', 'a fine suffices; little harm'),
    'fine_high': ('以罚款为宜，危害一般', 'a fine suffices; ordinary harm'),
    'det_low': ('宜处拘留，危害一般', 'detention called for; ordinary harm'),
    'det_high': ('宜处拘留，危害较大或者不听劝阻', 'detention called for; more harm or ignored warnings'),
    'single': ('一般情形', 'typical case'),
}

def situations(code, tier):
    form = tier['form']
    d = tier['detention_days']
    f = tier['fine_yuan']
    out = []  # (key, dict)
    if form == 'warning':
        out.append(('single', dict(warning=True)))
    elif form == 'warning_or_fine':
        fb = fine_bands(0, f[1])
        if len(fb) == 1:
            fb = [(10, r10(f[1] * 0.4)), (r10(f[1] * 0.4) + 50, f[1])]
        out.append(('warn', dict(warning=True)))
        out.append(('fine_low', dict(fine=fb[0], fine_base=fine_base(fb[0], 0.5))))
        out.append(('fine_high', dict(fine=(fb[1][0], fb[-1][1]), fine_base=fine_base((fb[1][0], fb[-1][1]), 0.4))))
    elif form == 'detention_or_warning':
        out.append(('warn', dict(warning=True)))
        out.append(('det_low', dict(detention=(1, 2), detention_base=1)))
        out.append(('det_high', dict(detention=(3, d[1]), detention_base=3)))
    elif form == 'detention':
        for k, b in zip(('low', 'mid', 'high'), bands(d[0], d[1])) if len(bands(d[0], d[1])) == 3 else [('single', bands(d[0], d[1])[0])]:
            out.append((k, dict(detention=b, detention_base=base_in(b, 0.0 if k != 'high' else 0.5))))
    elif form == 'detention_or_fine':
        fb = fine_bands(f[0], f[1])
        if len(fb) == 1:
            fb = [(fb[0][0], fb[0][1])]
            out.append(('fine_low', dict(fine=fb[0], fine_base=fine_base(fb[0], 0.4))))
        else:
            out.append(('fine_low', dict(fine=fb[0], fine_base=fine_base(fb[0], 0.5))))
            out.append(('fine_high', dict(fine=(fb[1][0], fb[2][1]), fine_base=fine_base((fb[1][0], fb[2][1]), 0.4))))
        db = bands(d[0], d[1])
        if len(db) == 3:
            out.append(('det_low', dict(detention=(db[0][0], db[1][1]), detention_base=db[0][0] + (db[1][1] - db[0][0]) // 2)))
            out.append(('det_high', dict(detention=db[2], detention_base=db[2][0])))
        else:
            out.append(('det_low', dict(detention=db[0], detention_base=db[0][0])))
    elif form in ('detention_opt_fine', 'detention_and_fine'):
        db = bands(d[0], d[1])
        lo_f = f[0]
        fb = fine_bands(lo_f, f[1]) if form == 'detention_and_fine' else None
        keys = ('low', 'mid', 'high') if len(db) == 3 else ('single',)
        for i, (k, b) in enumerate(zip(keys, db)):
            s = dict(detention=b, detention_base=b[0] if k != 'high' else base_in(b, 0.5))
            if form == 'detention_opt_fine' and f[0]:
                # optional fine with a statutory minimum: either none, or within [min, max]
                mid = r10((f[0] + f[1]) / 2)
                opt = [None, (f[0], mid), (mid + 10, f[1])]
                fr = opt[i] if len(db) == 3 else None
                if fr:
                    s['fine'] = fr
                    s['fine_base'] = fr[0]
            elif form == 'detention_opt_fine':
                F = f[1]
                opt = [(0, r10(F * 0.25)), (0, r10(F * 0.5)), (r10(F * 0.25), F)]
                fr = opt[i] if len(db) == 3 else (0, F)
                s['fine'] = fr
                s['fine_base'] = [0, r10(F * 0.2), r10(F * 0.5)][i] if len(db) == 3 else 0
            else:
                if fb and len(fb) == 3 and len(db) == 3:
                    fr = fb[i]
                else:
                    fr = (lo_f if lo_f else (50 if f[1] > 500 else 10), f[1])
                s['fine'] = fr
                s['fine_base'] = fine_base(fr, 0.3)
            out.append((k, s))
    elif form == 'fine':
        fb = fine_bands(f[0], f[1])
        if len(fb) == 3:
            for k, b in zip(('low', 'mid', 'high'), fb):
                out.append((k, dict(fine=b, fine_base=fine_base(b, 0.3))))
        else:
            out.append(('single', dict(fine=fb[0], fine_base=fine_base(fb[0], 0.4))))
    else:
        raise ValueError(form)
    return out

def q(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'

def main():
    lines = ['# 治安管理处罚裁量基准（默认）— default discretion standard for the 2025 PSAPL',
             '# Generated by scripts/penalty/build_standard.py from data/penalty/psapl-2025.json; edit the',
             '# generator (or write a bureau standard by hand in the same format) rather than this file.',
             '#',
             '# [[situation]] refines one violation code (see `frontline penalty catalog`) and tier into a',
             '# sub-range with a base value; circumstances move the value by `steps` x the situation step',
             '# (detention_step days, fine_step yuan), inside the sub-range. Statutory grounds (art. 12, 20,',
             '# 22 …) are rules in the engine; [policy] says how far they move the value.',
             '',
             'name_zh = "默认裁量基准（2025年修订版治安管理处罚法）"',
             'name_en = "Default discretion standard (PSAPL 2025 revision)"',
             'version = "2026.1"',
             'law_version = "2025"',
             '',
             '[policy]',
             'detention_step_days = 1',
             'fine_step_yuan = 100',
             '# 从轻 / 从重 (statutory mitigation / aggravation): steps per ground, may leave the',
             '# situation sub-range but never the statutory range of the tier.',
             'statutory_mitigation_steps = 2',
             'statutory_aggravation_steps = 2',
             '# From this many optional statutory grounds (art. 12 minors, art. 13-14, art. 20) on, the',
             '# engine recommends 减轻 (below the statutory minimum) instead of 从轻.',
             'reduce_at_grounds = 2',
             '']
    for code, zh, en, steps in CIRC:
        lines += ['[[circumstance]]', f'code = {q(code)}', f'name_zh = {q(zh)}', f'name_en = {q(en)}', f'steps = {steps}', '']
    n = 0
    for a in CAT['articles']:
        for r in a['rules']:
            if r['kind'] != 'penalty':
                continue
            for t in r['tiers']:
                sits = situations(r['code'], t)
                default_idx = 1 if len(sits) >= 3 else 0
                if len(sits) == 3 and sits[0][0] == 'fine_low' and sits[2][0] == 'det_low':
                    default_idx = 1
                for i, (key, s) in enumerate(sits):
                    zh, en = NAMES[key]
                    lines.append('[[situation]]')
                    lines.append(f'code = {q(r["code"] + "." + t["tier"] + "." + str(i + 1))}')
                    lines.append(f'violation = {q(r["code"])}')
                    lines.append(f'tier = {q(t["tier"])}')
                    lines.append(f'name_zh = {q(zh)}')
                    lines.append(f'name_en = {q(en)}')
                    if s.get('warning'):
                        lines.append('warning = true')
                    if 'detention' in s:
                        lines.append(f'detention_days = [{s["detention"][0]}, {s["detention"][1]}]')
                        lines.append(f'detention_base = {s["detention_base"]}')
                    if 'fine' in s:
                        lines.append(f'fine_yuan = [{s["fine"][0]}, {s["fine"][1]}]')
                        lines.append(f'fine_base = {s["fine_base"]}')
                    c = LOW if key in ('low', 'warn', 'fine_low') else HIGH if key in ('high', 'det_high') else []
                    if c:
                        lines.append('circumstances = [' + ', '.join(q(x) for x in c) + ']')
                    if i == default_idx:
                        lines.append('default = true')
                    lines.append('')
                    n += 1
    open(OUT, 'w').write('\n'.join(lines))
    print(f'{n} situations, {len(CIRC)} circumstances')

main()
