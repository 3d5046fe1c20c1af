// Browser suite, penalty decisions (issue 10): a station's investigator proposes the
// penalty of a public-order case (a decision outside the statute is refused on its
// field; following the recommendation is accepted), legal affairs approves it, the
// station chief decides, and the decision letter prints as an A4 page; another
// station's chief gets 404 on the letter.
// Run by run.sh against `frontline demo`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const BASE = (process.env.FRONTLINE_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
const PASSWORD = process.env.FRONTLINE_DEMO_PASSWORD || "demo-password";
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const RESULTS = join(dirname(fileURLToPath(import.meta.url)), "test-results");
mkdirSync(RESULTS, { recursive: true });

let browser;

before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
});
after(async () => {
  await browser?.close();
});

async function signIn(username) {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill("#username", username);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.press("#password", "Enter")]);
  return { context, page };
}

async function step(page, action, fill = async () => {}) {
  const details = page.locator(`details[data-step=${action}]`);
  await details.locator("summary").click();
  await fill(details);
  await Promise.all([page.waitForURL(/done=/), details.locator("button[type=submit]").click()]);
}

const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());

test("an officer proposes, legal affairs approves, the chief decides, the letter prints", async () => {
  const officer = await signIn("s1.investigator");
  const legal = await signIn("legal");
  const chief = await signIn("s1.chief");
  const other = await signIn("s2.chief");
  try {
    const page = officer.page;
    await page.goto(`${BASE}/cases/new`);
    await page.selectOption("#kind", "administrative");
    await page.fill("#title", "王某殴打他人案");
    await page.fill("#summary", "王某因排队纠纷用拳头殴打赵某面部，致其软组织挫伤。");
    await page.selectOption("[id='parties[0]_role']", "suspect");
    await page.fill("[id='parties[0]_name']", "王某");
    await page.fill("[id='parties[0]_id_number']", "610921199001011234");
    await Promise.all([page.waitForURL(/\/cases\/[0-9a-f-]+\?created=1/), page.getByTestId("case-submit").click()]);
    const url = page.url().split("?")[0];

    // Attachments: a text file named .png is refused for what it is; a photo is kept.
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4DwAAAQEABRjYTgAAAABJRU5ErkJggg==", "base64");
    await page.setInputFiles("#file", { name: "现场照片.png", mimeType: "image/png", buffer: Buffer.from("not really a picture") });
    await page.getByTestId("attachment-submit").click();
    await page.getByTestId("attachment-errors").waitFor();
    assert.match(await page.getByTestId("attachment-errors").innerText(), /只能上传 PDF 文档或 JPEG、PNG、WebP 图片/);
    await page.setInputFiles("#file", { name: "现场照片.png", mimeType: "image/png", buffer: png });
    await Promise.all([page.waitForURL(/done=attachment/), page.getByTestId("attachment-submit").click()]);
    assert.match(await page.getByTestId("attachment-list").innerText(), /现场照片\.png/);
    const href = await page.getByTestId("attachment").first().getAttribute("href");
    const served = await page.request.get(`${BASE}${href}`);
    assert.equal(served.status(), 200);
    assert.equal(served.headers()["content-type"], "image/png");
    assert.deepEqual(Buffer.from(await served.body()), png, "the same bytes come back");
    const foreign = await other.page.request.get(`${BASE}${href}`);
    assert.equal(foreign.status(), 404, "another station's chief does not get the file");

    await step(page, "investigate");

    // A fine beyond the statute: refused on its field, nothing recorded.
    const form = page.getByTestId("penalty-propose");
    await form.locator("summary").click();
    await page.fill("#violations_0_article", "51");
    await page.fill("#violations_0_offence_date", today);
    await page.getByTestId("depart").check();
    await page.fill("#violations_0_decided_detention_days", "5");
    await page.fill("#violations_0_decided_fine_yuan", "5000");
    await page.fill("#departure_reason", "情节恶劣，多次殴打被害人");
    await page.getByTestId("penalty-submit").click();
    await page.getByTestId("penalty-errors").waitFor();
    assert.match(await page.getByTestId("penalty-errors").innerText(), /法定幅度/);
    assert.equal(await page.getByTestId("decision").count(), 0, "nothing recorded");
    assert.equal(await page.getByTestId("penalty-propose").evaluate((d) => d.open), true, "the form stays open");
    assert.equal(await page.inputValue("#violations_0_decided_fine_yuan"), "5000", "what was typed stays");
    assert.equal(await page.inputValue("#departure_reason"), "情节恶劣，多次殴打被害人");

    // Following the recommendation.
    assert.equal(await page.inputValue("#violations_0_article"), "51");
    await page.getByTestId("follow").check();
    await Promise.all([page.waitForURL(/done=penalty/), page.getByTestId("penalty-submit").click()]);
    const decision = page.getByTestId("decision").first();
    assert.match(await decision.getByTestId("decision-status").innerText(), /待法制审核/);
    assert.match(await decision.innerText(), /殴打他人/);
    assert.match(await decision.getByTestId("prior").innerText(), /0 次/, "earlier decisions were looked up");

    // Legal affairs finds it in the review queue and approves.
    const l = legal.page;
    await l.getByTestId("nav-penalty-reviews").click();
    await l.getByTestId("review-queue").waitFor();
    const caseNumber = url.split("/").pop();
    await l.locator(`[data-testid=review-queue] a[href$='${caseNumber}']`).click();
    await l.waitForURL(url);
    await Promise.all([l.waitForURL(/done=review/), l.getByTestId("review-approve").click()]);
    assert.match(await l.getByTestId("decision-status").first().innerText(), /审核通过/);

    // The chief decides; the decision is in force with its number.
    const c = chief.page;
    await c.goto(url);
    await step(c, "decide", async (d) => {
      await d.locator("input[value=penalty]").check();
      await d.locator("textarea").fill("违法事实清楚，证据确实充分，依法给予行政处罚。");
    });
    assert.match(await c.getByTestId("status").innerText(), /已决定/);
    const number = (await c.getByTestId("decision-number").first().innerText()).trim();
    assert.match(number, /^S01-\d{4}-CF\d{4}$/);
    await c.getByTestId("decision-letter").first().click();
    await c.getByTestId("decision-letter").waitFor();
    const letter = await c.getByTestId("decision-letter").innerText();
    assert.match(letter, /行政处罚决定书/);
    assert.match(letter, /王某/);
    assert.match(letter, /610921\*{8}1234/, "the ID number is masked on the letter");
    assert.equal((await c.getByTestId("letter-number").innerText()).trim(), number);
    await c.pdf({ path: join(RESULTS, "penalty-decision-letter.pdf"), format: "A4" });
    // One A4 page wide: the letter fits the printable width.
    const width = await c.getByTestId("decision-letter").evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(width > 300, `the letter is laid out (${width}px)`);

    const r = await other.page.goto(c.url());
    assert.equal(r.status(), 404, "another station's chief does not see the letter");

    // The consistency report counts the demo's decisions and this one.
    await l.getByTestId("nav-penalty-consistency").click();
    await l.getByTestId("consistency-table").waitFor();
    assert.ok(Number(await l.getByTestId("consistency-total").innerText()) > 10);
    assert.match(await l.getByTestId("consistency-table").innerText(), /51-1/);
    assert.equal(await l.locator("[data-testid=consistency-chart] svg").count(), 1);
    await l.fill("#from", "2026-12-31");
    await l.fill("#to", "2026-01-01");
    await l.locator("[data-testid=consistency-filter] button").click();
    await l.locator(".error-summary").waitFor();
    assert.match(await l.locator(".error-summary").innerText(), /起始日期/);
    const denied = await other.page.goto(`${BASE}/penalty/consistency`);
    assert.equal(denied.status(), 403, "a station chief does not read the bureau's report");
  } finally {
    for (const s of [officer, legal, chief, other]) await s.context.close();
  }
});

test("a property crime's case page shows the 1-3-7 internal targets apart from the legal limits", async () => {
  const officer = await signIn("s1.investigator");
  try {
    const page = officer.page;
    const list = await (await page.request.get(`${BASE}/api/v1/cases?kind=criminal&per_page=50`)).json();
    let found;
    for (const c of list.items) {
      const d = await (await page.request.get(`${BASE}/api/v1/cases/${c.id}`)).json();
      if (d.targets.length > 0) {
        found = d;
        break;
      }
    }
    assert.ok(found, "the demo has property-crime cases converted from incidents");
    await page.goto(`${BASE}/cases/${found.id}`);
    const section = page.getByTestId("targets");
    assert.match(await section.innerText(), /非法定期限/);
    assert.equal(await section.locator("tr[data-target]").count(), 3);
    assert.match(await section.innerText(), /7日内破案/);
    // The legal limits stay in their own table, without the internal targets.
    assert.doesNotMatch(await page.getByTestId("deadlines").innerText(), /7日内破案/);
  } finally {
    await officer.context.close();
  }
});
