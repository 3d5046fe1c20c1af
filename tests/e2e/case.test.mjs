// Browser suite, cases (issue 10, first step): a station's investigator accepts an
// administrative case in the browser and sees its 30-day handling limit; a refused form
// keeps what was typed and names the field; the investigator starts the investigation,
// the station chief decides (no penalty) and closes it, and the deadline board shows the
// limit met; another station's chief gets 404 on the case page.
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

async function signIn(username, options = {}) {
  const context = await browser.newContext({ locale: "zh-CN", ...options });
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

test("an investigator accepts a case, the chief decides and closes it, the limit is met", async () => {
  const officer = await signIn("s1.investigator");
  const chief = await signIn("s1.chief");
  const other = await signIn("s2.chief");
  try {
    const page = officer.page;
    await page.click("nav.sidenav >> text=案件");
    await page.waitForURL(/\/cases$/);
    await page.getByTestId("new-case").click();
    await page.waitForURL(/\/cases\/new/);
    // A refused form: no title, an ID number with a wrong check digit.
    await page.selectOption("#kind", "administrative");
    await page.fill("#summary", "张某因停车纠纷殴打李某，致其面部轻微伤。");
    await page.fill("[id='parties[0]_name']", "李某");
    await page.fill("[id='parties[0]_id_number']", "110101199003070000");
    await page.getByTestId("case-submit").click();
    await page.locator(".error-summary").waitFor();
    assert.match(await page.locator(".error-summary").innerText(), /案件名称/);
    assert.match(await page.locator(".error-summary").innerText(), /身份证号/);
    assert.equal(await page.inputValue("#summary"), "张某因停车纠纷殴打李某，致其面部轻微伤。", "what was typed stays");
    await page.fill("#title", "张某殴打他人案");
    await page.fill("[id='parties[0]_id_number']", "");
    await page.fill("[id='parties[0]_phone']", "13800138000");
    await page.check("input[name=party_consent]");
    await Promise.all([page.waitForURL(/\/cases\/[0-9a-f-]+\?created=1/), page.getByTestId("case-submit").click()]);
    await page.getByTestId("created-notice").waitFor();
    const url = page.url().split("?")[0];
    assert.match(await page.getByTestId("deadlines").innerText(), /治安案件办案期限/);
    assert.match(await page.getByTestId("parties").innerText(), /138\*\*\*\*8000/, "the phone is masked");
    const code = (await page.getByTestId("query-code").innerText()).trim();
    assert.equal(code.length, 10);
    await page.getByTestId("receipt-link").click();
    await page.getByTestId("receipt").waitFor();
    assert.equal((await page.getByTestId("receipt-code").innerText()).trim(), code);
    await page.pdf({ path: join(RESULTS, "case-receipt.pdf"), format: "A4" });
    await page.goBack();
    await page.screenshot({ path: join(RESULTS, "case-accepted.png"), fullPage: true });
    await step(page, "investigate");
    assert.match(await page.getByTestId("status").innerText(), /调查中/);

    const c = chief.page;
    await c.goto(url);
    // The chief records the approved extension of the 30-day limit (case complex).
    const ext = c.locator("details[data-extend='admin.case_handling']");
    await ext.locator("summary").click();
    await ext.locator("button[type=submit]").click();
    await c.locator(".error-summary").waitFor();
    assert.match(await c.locator(".error-summary").innerText(), /批准人/, "no extension without its approval");
    const ext2 = c.locator("details[data-extend='admin.case_handling']");
    await ext2.locator("summary").click();
    await ext2.locator("input[name=approver]").fill("青禾县公安局 王局长");
    await ext2.locator("input[name=reference]").fill("青公审〔2026〕12号");
    await Promise.all([c.waitForURL(/done=extend/), ext2.locator("button[type=submit]").click()]);
    assert.match(await c.getByTestId("timeline").innerText(), /延长期限/);
    assert.match(await c.getByTestId("timeline").innerText(), /王局长/);
    await step(c, "decide", async (d) => {
      await d.locator("input[value=exempt]").check();
      await d.locator("textarea").fill("情节特别轻微，依法不予处罚。");
    });
    assert.match(await c.getByTestId("status").innerText(), /已决定/);
    assert.match(await c.locator("[data-rule='admin.case_handling'] [data-testid=deadline-state]").innerText(), /已按期完成/);
    await step(c, "close");
    assert.match(await c.getByTestId("status").innerText(), /已结案/);
    assert.match(await c.getByTestId("timeline").innerText(), /不予处罚/);
    await c.goto(`${BASE}/cases/deadlines?state=met`);
    assert.match(await c.getByTestId("deadline-table").innerText(), /张某殴打他人案/);

    const r = await other.page.goto(url);
    assert.equal(r.status(), 404, "another station's chief does not see the case");

    // The reporter, not signed in, follows the case with the receipt's code.
    const publicCtx = await browser.newContext({ locale: "zh-CN" });
    try {
      const p = await publicCtx.newPage();
      await p.goto(`${BASE}/status`);
      await p.fill("#query_code", code.toLowerCase());
      await p.fill("#phone_last4", "1234");
      await p.getByTestId("status-submit").click();
      await p.locator(".error-summary").waitFor();
      assert.match(await p.locator(".error-summary").innerText(), /查询码或手机号后四位不正确/);
      await p.fill("#phone_last4", "8000");
      await p.getByTestId("status-submit").click();
      await p.getByTestId("status-answer").waitFor();
      assert.match(await p.getByTestId("status-stage").innerText(), /已办结/);
      assert.doesNotMatch(await p.locator("main").innerText(), /张某|李某/, "no names on the public page");
    } finally {
      await publicCtx.close();
    }
  } finally {
    await officer.context.close();
    await chief.context.close();
    await other.context.close();
  }
});

test("the case pages fit a phone", async () => {
  const { context, page } = await signIn("s1.chief", { viewport: { width: 390, height: 844 } });
  try {
    await page.goto(`${BASE}/cases/deadlines?state=running`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 400, `no sideways scrolling: ${width}`);
    await page.goto(`${BASE}/cases/new`);
    const w2 = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(w2 <= 400, `no sideways scrolling on the form: ${w2}`);
  } finally {
    await context.close();
  }
});

test("an investigator summons a suspect and records the end of the summons", async () => {
  const { context, page } = await signIn("s1.investigator");
  try {
    await page.goto(`${BASE}/cases/new`);
    await page.selectOption("#kind", "criminal");
    await page.fill("#title", "王某盗窃电动车案");
    await page.fill("#summary", "王某涉嫌盗窃小区内电动车一辆。");
    await page.selectOption("[id='parties[0]_role']", "suspect");
    await page.fill("[id='parties[0]_name']", "王某");
    await Promise.all([page.waitForURL(/created=1/), page.getByTestId("case-submit").click()]);
    const url = page.url().split("?")[0];
    // A criminal case takes its measures once filed: the chief files it.
    const chief = await signIn("s1.chief");
    await chief.page.goto(url);
    await step(chief.page, "file");
    await chief.context.close();
    await page.goto(url);
    await page.getByTestId("measure-start").locator("summary").click();
    await page.selectOption("#measure", "summons");
    await Promise.all([page.waitForURL(/done=measure/), page.getByTestId("measure-form").locator("button[type=submit]").click()]);
    assert.match(await page.getByTestId("measures").innerText(), /传唤、拘传/);
    assert.match(await page.getByTestId("deadlines").innerText(), /传唤、拘传持续时间/);
    await Promise.all([page.waitForURL(/done=measure/), page.getByTestId("act-end").locator("button").click()]);
    assert.match(await page.locator("[data-rule='criminal.summons'] [data-testid=deadline-state]").innerText(), /已按期完成/);
    assert.equal(await page.getByTestId("act-end").count(), 0, "an ended measure takes no act");
  } finally {
    await context.close();
  }
});
