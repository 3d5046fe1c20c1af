// Browser tests of the server-rendered UI, in Debian's headless Chromium driven by
// playwright-core. Run through `run.sh`, which starts `frontline demo` and passes its
// address in FRONTLINE_URL. Plain node:test; no test runner download.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const BASE = (process.env.FRONTLINE_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
const PASSWORD = process.env.FRONTLINE_DEMO_PASSWORD || "demo-password";
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, "test-results");
mkdirSync(RESULTS, { recursive: true });

const PHONE = "13800138000";
const BAD_ID = "360426199101010072"; // check digit should be 1, not 2
const ADDRESS = "青禾县城关镇人民路 128 号农贸市场东门";
const CALLER = "王晓明";
const NARRATIVE = "报警人称其停放在市场东门的电动自行车被盗，车锁被剪断。";

let browser;
/** The incident filed by the intake test, shared by the later tests. */
const filed = { url: "", number: "" };

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
});

/** A fresh browser context (own cookies) with a zh-CN browser, signed in as `username`. */
async function signIn(username, options = {}) {
  const context = await browser.newContext({ locale: "zh-CN", ...options });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill("#username", username);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.press("#password", "Enter")]);
  return { context, page };
}

async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}

/** Fills the intake form with a valid incident (plus any overrides). */
async function fillIntake(page, overrides = {}) {
  const v = {
    category: "criminal.vehicle_theft",
    address: ADDRESS,
    caller_name: CALLER,
    caller_phone: PHONE,
    caller_id_number: "",
    narrative: NARRATIVE,
    ...overrides,
  };
  await page.selectOption("#category", v.category);
  await page.fill("#address", v.address);
  await page.fill("#caller_name", v.caller_name);
  await page.fill("#caller_phone", v.caller_phone);
  await page.fill("#caller_id_number", v.caller_id_number);
  await page.fill("#narrative", v.narrative);
  return v;
}

test("signing in: redirect to the login page, wrong password, then s1.desk in Chinese", async () => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  try {
    await page.goto(`${BASE}/incidents`);
    assert.equal(new URL(page.url()).pathname, "/login");
    assert.equal(new URL(page.url()).searchParams.get("next"), "/incidents");
    assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
    assert.equal(await text(page, "label[for=username]"), "用户名");

    await page.fill("#username", "s1.desk");
    await page.fill("#password", "not-the-password");
    const failed = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("button[type=submit]")]);
    assert.equal(failed[0].status(), 401);
    assert.match(await text(page, "[data-testid=login-error]"), /用户名或密码错误/);
    assert.equal(await page.inputValue("#username"), "s1.desk", "the username is kept");

    await page.fill("#password", PASSWORD);
    await Promise.all([page.waitForURL(`${BASE}/incidents`), page.press("#password", "Enter")]);
    assert.equal(await text(page, "h1"), "警情列表");
    assert.match(await text(page, ".who"), /城关派出所|派出所/);

    await page.goto(`${BASE}/`);
    assert.match(await text(page, "h1"), /^您好，/);
    assert.match(await text(page, ".facts"), /值班民警/);
    assert.equal(await page.locator("nav.sidenav a[href='/incidents/new']").count(), 1);
  } finally {
    await context.close();
  }
});

test("intake: file an incident, land on its detail page, see it in the list", async () => {
  const { context, page } = await signIn("s1.desk");
  try {
    await page.goto(`${BASE}/incidents/new`);
    assert.equal(await text(page, "h1"), "接警登记");
    const reported = await page.inputValue("#reported_at");
    assert.match(reported, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "reported time defaults to now");
    assert.equal(await page.locator("#category optgroup").first().getAttribute("label"), "刑事");
    assert.equal(await page.locator("#unit_id").count(), 0, "a desk officer files for their own station");
    assert.ok((await page.locator("#district_id option").count()) > 1, "the station's districts are offered");

    // The intake form fits one desktop screen.
    const formBottom = await page.locator("#intake-form button[type=submit]").evaluate((b) => b.getBoundingClientRect().bottom);
    assert.ok(formBottom <= 900, `submit button at ${formBottom}px should be visible on a desktop screen`);
    await page.screenshot({ path: join(RESULTS, "intake-zh.png"), fullPage: true });

    await fillIntake(page);
    // Enter in a text field submits the form.
    await Promise.all([page.waitForURL(/\/incidents\/[0-9a-f-]{36}\?created=1$/), page.press("#address", "Enter")]);
    filed.url = page.url().replace(/\?created=1$/, "");
    assert.match(await text(page, "[data-testid=created-notice]"), /警情已登记/);
    filed.number = await text(page, "[data-testid=incident-number]");
    assert.match(filed.number, /^[A-Z0-9]+-\d{4}-\d{6}$/);
    assert.match(await text(page, "h1"), new RegExp(filed.number));
    assert.match(await text(page, "[data-testid=caller-phone]"), /138\*+8000/);
    assert.ok(!(await page.content()).includes(PHONE), "the full phone number is not on the page");

    await page.goto(`${BASE}/incidents`);
    const row = page.locator("[data-testid=incident-table] tbody tr", { hasText: filed.number });
    assert.equal(await row.count(), 1, "the new incident is listed");
    const rowText = await row.innerText();
    assert.match(rowText, /盗窃车辆/);
    assert.match(rowText, /138\*+8000/);
    assert.match(rowText, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    assert.match(await text(page, "[data-testid=total]"), /^共 [\d,]+ 条$/);

    // Filters live in the query string and survive paging.
    await page.goto(`${BASE}/incidents?category=criminal`);
    const next = page.locator(".pager a[rel=next]");
    if ((await next.count()) > 0) {
      const href = await next.getAttribute("href");
      assert.match(href, /category=criminal/);
      assert.match(href, /page=2/);
    }

    // The export link downloads every row of this filter as CSV for Excel, masked.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-csv]")]);
    assert.match(download.suggestedFilename(), /^incidents-\d{8}-\d{4}\.csv$/);
    const csv = readFileSync(await download.path());
    assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 with a BOM");
    const lines = csv.toString("utf8").slice(1).trim().split("\n");
    assert.match(lines[0], /^警情编号,报警时间,类别,/);
    assert.ok(lines.length > 1, "rows follow the heading");
    assert.ok(!csv.toString("utf8").includes(PHONE), "numbers stay masked in the file");

    // The time column sorts: oldest first, kept in the URL with the filters.
    await Promise.all([page.waitForURL(/sort=reported_at/), page.click("[data-testid=sort-reported]")]);
    assert.match(page.url(), /category=criminal/);
    assert.equal(await page.getAttribute("th[aria-sort]", "aria-sort"), "ascending");
    const times = await page.locator("[data-testid=incident-table] tbody td[data-testid=reported]").allInnerTexts();
    assert.ok(times.length > 1 && times[0] <= times[1], times.join("|"));
    await page.goto(`${BASE}/incidents?from=2026-13-45`);
    assert.match(await text(page, ".error-summary"), /日期格式不正确/);
  } finally {
    await context.close();
  }
});

test("intake: a wrong ID check digit is shown beside the field, nothing typed is lost", async () => {
  const { context, page } = await signIn("s1.desk");
  try {
    await page.goto(`${BASE}/incidents/new`);
    const v = await fillIntake(page, { caller_id_number: BAD_ID, category: "dispute.neighbour" });
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/incidents")),
      page.click("#intake-form button[type=submit]"),
    ]);
    assert.equal(resp.status(), 422);
    assert.match(await text(page, "#caller_id_number-error"), /身份证号校验位错误/);
    const summaryLink = page.locator(".error-summary a[href='#caller_id_number']");
    assert.equal(await summaryLink.count(), 1, "the error summary links to the field");
    assert.match(await summaryLink.innerText(), /身份证号校验位错误/);
    assert.equal(await page.getAttribute("#caller_id_number", "aria-invalid"), "true");
    // Everything typed is still there.
    assert.equal(await page.inputValue("#caller_id_number"), BAD_ID);
    assert.equal(await page.inputValue("#address"), v.address);
    assert.equal(await page.inputValue("#caller_name"), v.caller_name);
    assert.equal(await page.inputValue("#caller_phone"), v.caller_phone);
    assert.equal(await page.inputValue("#narrative"), v.narrative);
    assert.equal(await page.inputValue("#category"), "dispute.neighbour");
    await page.screenshot({ path: join(RESULTS, "intake-error-zh.png"), fullPage: true });
  } finally {
    await context.close();
  }
});

test("unmasking the caller's phone asks for a purpose and shows the full number", async () => {
  assert.ok(filed.url, "the intake test filed an incident");
  const { context, page } = await signIn("s1.desk");
  try {
    await page.goto(filed.url);
    // No choice is refused beside the select.
    await page.click("[data-testid=unmask-form] button[type=submit]");
    assert.match(await text(page, "#purpose-error"), /查询事由/);
    assert.match(await text(page, "[data-testid=caller-phone]"), /138\*+8000/);
    // "Other" needs a meaningful text: punctuation is refused beside the text field.
    await page.selectOption("#purpose", "other");
    await page.fill("#purpose_text", "……");
    await page.click("[data-testid=unmask-form] button[type=submit]");
    assert.match(await text(page, "#purpose_text-error"), /至少4个文字或数字/);
    assert.equal(await page.inputValue("#purpose"), "other", "the choice is kept");
    assert.match(await text(page, "[data-testid=caller-phone]"), /138\*+8000/);

    await page.fill("#purpose_text", "回访核实报警人联系方式");
    await page.click("[data-testid=unmask-form] button[type=submit]");
    // The old page shows the masked number in the same place: wait for the new one.
    await page.locator("[data-testid=caller-phone]", { hasText: PHONE }).waitFor();
    assert.match(await text(page, "[data-testid=caller-phone]"), new RegExp(PHONE));
    assert.match(await text(page, "[data-testid=unmask-note]"), /已记入审计日志/);
    assert.match(await text(page, "[data-testid=unmask-note]"), /其他：回访核实报警人联系方式/);
  } finally {
    await context.close();
  }
});

test("command centre picks the owning station; the district list follows it", async () => {
  const { context, page } = await signIn("command");
  try {
    await page.goto(`${BASE}/incidents/new`);
    assert.equal(await page.locator("#unit_id").count(), 1, "command centre may name the station");
    const stations = await page.locator("#unit_id option:not([value=''])").evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
    assert.ok(stations.length >= 2);
    const [unitId, unitName] = stations[1];
    await page.selectOption("#unit_id", unitId);
    const visible = await page.locator("#district_id optgroup:not([hidden])").evaluateAll((gs) => gs.map((g) => g.label));
    assert.deepEqual(visible, [unitName], "only the chosen station's districts are offered");
    const district = await page.locator("#district_id optgroup:not([hidden]) option").first().getAttribute("value");
    await page.selectOption("#district_id", district);
    await fillIntake(page, { category: "assistance.locked_out" });
    await Promise.all([page.waitForURL(/\/incidents\/[0-9a-f-]{36}\?created=1$/), page.click("#intake-form button[type=submit]")]);
    assert.match(await text(page, "[data-testid=created-notice]"), /警情已登记/);
    assert.match(await page.locator("main").innerText(), new RegExp(unitName));
  } finally {
    await context.close();
  }
});

test("switching to English shows English labels, and back", async () => {
  const { context, page } = await signIn("s1.desk");
  try {
    await page.goto(`${BASE}/incidents/new`);
    await Promise.all([page.waitForSelector("html[lang=en]"), page.click("[data-testid=lang-switch]")]);
    assert.equal(new URL(page.url()).pathname, "/incidents/new", "back where the switch was used");
    assert.equal(await text(page, "h1"), "Incident intake");
    assert.match(await text(page, "label[for=category]"), /^Category/);
    assert.match(await text(page, "label[for=caller_phone]"), /^Phone/);
    assert.equal(await page.locator("#category optgroup").first().getAttribute("label"), "Criminal");
    await page.screenshot({ path: join(RESULTS, "intake-en.png"), fullPage: true });

    await page.goto(`${BASE}/incidents`);
    assert.equal(await text(page, "h1"), "Incidents");
    assert.match(await text(page, "[data-testid=total]"), /^[\d,]+ incidents$/);

    await Promise.all([page.waitForSelector("html[lang=zh-CN]"), page.click("[data-testid=lang-switch]")]);
    assert.equal(new URL(page.url()).pathname, "/incidents");
    assert.equal(await text(page, "h1"), "警情列表");
  } finally {
    await context.close();
  }
});

test("on a 375px phone the list and the intake form fit without sideways scrolling", async () => {
  const { context, page } = await signIn("s1.desk", {
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  try {
    for (const path of ["/incidents", "/incidents/new", "/", filed.url ? new URL(filed.url).pathname : "/"]) {
      await page.goto(`${BASE}${path}`);
      const { scroll, width } = await page.evaluate(() => ({
        scroll: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
        width: window.innerWidth,
      }));
      assert.ok(scroll <= width, `${path}: page is ${scroll}px wide in a ${width}px viewport`);
    }
    await page.goto(`${BASE}/incidents`);
    assert.ok((await page.locator("[data-testid=incident-table] tbody tr").count()) > 0);
    // The navigation sits at the top on a phone.
    const nav = await page.locator("nav.sidenav").boundingBox();
    const main = await page.locator("main").boundingBox();
    assert.ok(nav && main && nav.y < main.y, "the menu is above the content");
    await page.screenshot({ path: join(RESULTS, "list-phone.png"), fullPage: false });
  } finally {
    await context.close();
  }
});

test("s2.desk cannot open s1's incident (404 page)", async () => {
  assert.ok(filed.url, "the intake test filed an incident");
  const { context, page } = await signIn("s2.desk");
  try {
    const resp = await page.goto(filed.url);
    assert.equal(resp.status(), 404);
    assert.equal(await text(page, "h1"), "页面不存在");
    assert.ok(!(await page.content()).includes(filed.number), "nothing of the incident leaks");

    // Nor can they unmask it by posting directly.
    const csrf = await page.evaluate(() => document.querySelector("form.logout input[name=csrf]").value);
    const post = await page.request.post(`${filed.url}/unmask`, {
      headers: { origin: BASE }, // as the browser sends on a form from our page
      form: { csrf, purpose: "case_handling" },
    });
    assert.equal(post.status(), 404);
  } finally {
    await context.close();
  }
});

test("a form without the session's CSRF token is refused, and signing out works", async () => {
  const { context, page } = await signIn("s1.desk");
  try {
    const post = await page.request.post(`${BASE}/incidents`, {
      headers: { origin: BASE }, // from our own page: the CSRF token is what refuses it
      form: { csrf: "forged", category: "criminal.theft", address: ADDRESS, caller_name: CALLER, caller_phone: PHONE, narrative: NARRATIVE },
    });
    assert.equal(post.status(), 403);

    await page.goto(`${BASE}/`);
    await Promise.all([page.waitForURL(/\/login$/), page.click("form.logout button")]);
    await page.goto(`${BASE}/incidents`);
    assert.equal(new URL(page.url()).pathname, "/login");
  } finally {
    await context.close();
  }
});

test("my sessions: the user menu lists them, another one is ended there, and the password page is one click away", async () => {
  const first = await signIn("s7.community");
  const second = await signIn("s7.community", { locale: "en-US" });
  try {
    const { page } = first;
    await Promise.all([page.waitForURL(`${BASE}/me/sessions`), page.click("[data-testid=my-sessions]")]);
    assert.equal(await text(page, "h1"), "我的登录会话");
    assert.equal(await page.locator("[data-testid=session-row]").count(), 2);
    assert.equal(await page.locator("[data-testid=session-current]").count(), 1);
    await Promise.all([page.waitForURL(/\/me\/sessions\?ended=1$/), page.click("[data-testid=session-end]")]);
    assert.match(await text(page, "[data-testid=session-ended]"), /该会话已结束/);
    assert.equal(await page.locator("[data-testid=session-row]").count(), 1);

    // The ended session is signed out at its next request.
    await second.page.goto(`${BASE}/`);
    assert.equal(new URL(second.page.url()).pathname, "/login");

    await Promise.all([page.waitForURL(`${BASE}/me/password`), page.click("[data-testid=my-password]")]);
    await page.fill("#current_password", PASSWORD);
    await page.fill("#new_password", "short");
    await page.fill("#new_password_confirm", "short");
    const [resp] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("[data-testid=password-form] button[type=submit]")]);
    assert.equal(resp.status(), 422);
    assert.match(await text(page, "[data-testid=new_password-error]"), /密码至少 8 位/);
  } finally {
    await first.context.close();
    await second.context.close();
  }
});
