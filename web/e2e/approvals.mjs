// Approvals (审批) end-to-end scenario: an HR role, the leave template's flow edited to
// "direct manager, then HR", a leave filed, approved twice, seen by the applicant in the 审批
// channel and the timeline; a second request rejected with a comment; an overlapping leave refused.
import { expectText } from './helpers.mjs';

const HR = { name: '赵六', employee_id: 'zhaoliu01', password: 'zhaoliu-pass-1' };

/**
 * Picks `text` in an antd Select (optionally typing `search` first to filter). The options are
 * looked up in this select's own dropdown (found through its listbox id): a dropdown that is
 * still animating closed from the previous pick must not be clicked.
 */
async function pickOption(page, select, text, search) {
  await select.click();
  if (search) await page.keyboard.type(search);
  const owner = (await select.getAttribute('aria-controls')) ? select : select.locator('[aria-controls]').first();
  const listId = await owner.getAttribute('aria-controls');
  const dropdown = listId
    ? page.locator('.ant-select-dropdown', { has: page.locator(`[id="${listId}"]`) })
    : page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last();
  await dropdown.locator('.ant-select-item-option').filter({ hasText: text }).first().click();
  // Single selects close after a pick; let the dropdown finish closing before the next one opens.
  await dropdown.waitFor({ state: 'hidden', timeout: 1500 }).catch(() => {});
}

async function api(page, method, url, body) {
  return page.evaluate(
    async ({ method, url, body }) => {
      const csrf = decodeURIComponent(document.cookie.split('; ').find((c) => c.startsWith('huddle_csrf='))?.split('=')[1] ?? '');
      const res = await fetch(url, {
        method,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    { method, url, body },
  );
}

export function approvalSteps({ s, base, shot, newPage, login, ZHANG, LI, ADMIN }) {
  const a = {};
  async function signIn(who) {
    const page = await newPage();
    await login(page, who.employee_id, who.password);
    await page.waitForURL(/\/messages/);
    return page;
  }
  /** 张三 fills the leave form; returns once the flow preview is shown. */
  async function fillLeave(page, type, start, end, reason) {
    await page.goto(`${base}/workbench/approvals`);
    await page.locator('[data-testid="ap-template"][data-name="请假"]').click();
    await page.getByTestId('ap-form').waitFor();
    await pickOption(page, page.getByTestId('in-leave-type'), type);
    await page.getByTestId('in-leave-start').fill(start);
    await page.getByTestId('in-leave-end').fill(end);
    await page.getByTestId('in-reason').fill(reason);
  }
  async function openWaiting(page, spNo) {
    await page.goto(`${base}/workbench/approvals?tab=waiting`);
    await page.locator(`[data-testid="ap-item"][data-sp-no="${spNo}"]`).click();
    await page.getByTestId('ap-detail').waitFor();
  }
  async function decide(page, action, comment) {
    await page.getByTestId(`ap-act-${action}`).click();
    const dialog = page.getByTestId('ap-dialog');
    await dialog.getByTestId('ap-dialog-comment').fill(comment);
    await page.waitForTimeout(300); // let the dialog finish opening
    await page.getByTestId('ap-dialog-ok').click();
    await dialog.waitFor({ state: 'hidden' });
  }

  const steps = [
    [
      'approvals: admin adds 赵六, makes 李四 张三\'s manager and creates the approval role HR',
      async () => {
        const page = s.admin;
        const members = await api(page, 'GET', '/api/v1/members?limit=200');
        const id = (login) => members.items.find((m) => m.employee_id === login)?.id;
        const tech = (await api(page, 'GET', '/api/v1/departments?limit=1000')).items.find((d) => d.name === '技术部');
        const hr = await api(page, 'POST', '/api/v1/members', { name: HR.name, employee_id: HR.employee_id, password: HR.password, department_ids: [tech.id] });
        await api(page, 'PATCH', `/api/v1/members/${id(ZHANG.employee_id)}`, { manager_id: id(LI.employee_id) });
        a.ids = { zhang: id(ZHANG.employee_id), li: id(LI.employee_id), hr: hr.id };
        await page.goto(`${base}/admin/approvals?tab=roles`);
        await page.getByTestId('ap-role-new').click();
        await page.getByTestId('ap-role-name').fill('HR');
        await pickOption(page, page.getByTestId('ap-role-members'), HR.name, HR.name);
        await page.keyboard.press('Escape');
        await page.getByTestId('ap-role-ok').click();
        await expectText(page.locator('[data-testid="ap-role-row"][data-name="HR"]'), HR.name);
      },
    ],
    [
      'approvals: admin edits the leave template to "direct manager, then HR" in the designer',
      async () => {
        const page = s.admin;
        await page.getByTestId('ap-admin-tab-templates').click();
        const row = page.locator('[data-testid="ap-template-row"][data-name="请假"]');
        await row.waitFor();
        await shot(page, 'approvals-admin-list');
        await row.getByTestId('ap-template-edit').click();
        await page.getByTestId('ap-designer').waitFor();
        // A bad formula is refused and the control it names is highlighted.
        await page.getByTestId('ap-d-tab-form').click();
        await page.getByTestId('ap-add-control').click();
        await page.getByTestId('ap-add-kind-formula').click();
        const formula = page.locator('[data-testid="ap-ctl"][data-control-id="formula"]');
        await formula.getByTestId('ap-ctl-formula').fill('nothing * (');
        await page.getByTestId('ap-designer-save').click();
        await expectText(page.getByTestId('ap-designer-error'), '表单设计 · 计算公式');
        await page.locator('.ap-ctl-error[data-control-id="formula"]').waitFor();
        await formula.scrollIntoViewIfNeeded();
        await shot(page, 'approvals-designer-form');
        await formula.getByTestId('ap-ctl-remove').click();
        await page.getByTestId('ap-d-tab-flow').click();
        const nodes = page.locator('[data-testid="ap-node-list-root"] > [data-testid="ap-node"]');
        await nodes.first().waitFor();
        // Keep exactly the direct manager, then add HR.
        while ((await nodes.count()) > 1) await nodes.nth(1).getByTestId('ap-node-remove').click();
        const first = nodes.first();
        await pickOption(page, first.getByTestId('ap-node-source'), '上级');
        await first.getByTestId('ap-node-level').fill('1');
        await page.getByTestId('ap-add-approver-root').click();
        const hrNode = nodes.nth(1);
        await hrNode.getByTestId('ap-node-name').fill('HR审批');
        await pickOption(page, hrNode.getByTestId('ap-node-source'), '审批角色');
        await pickOption(page, hrNode.getByTestId('ap-node-role'), 'HR');
        await shot(page, 'approvals-designer');
        await page.getByTestId('ap-designer-save').click();
        await expectText(page.locator('.ant-message'), '模板已保存');
        if (await page.getByTestId('ap-designer-error').count()) throw new Error(await page.getByTestId('ap-designer-error').textContent());
        const tpl = (await api(page, 'GET', '/api/v1/approvals/templates?all=true')).items.find((x) => x.builtin === 'leave');
        const flow = tpl.definition.flow.nodes.map((n) => `${n.source.type}:${n.source.level ?? n.source.role_id ?? ''}`);
        if (flow.length !== 2 || flow[0] !== 'manager:1' || !flow[1].startsWith('role:')) throw new Error(`unexpected flow ${flow.join(', ')}`);
        a.leaveTemplate = tpl.id;
      },
    ],
    [
      'approvals: 张三 files a leave request; the preview shows 李四 then HR',
      async () => {
        const page = (a.zhang = await signIn(ZHANG));
        await page.getByTestId('nav-workbench').click();
        await page.getByTestId('app-approvals').click();
        await page.getByTestId('ap-template-picker').waitFor();
        await shot(page, 'approvals-workbench');
        await fillLeave(page, '年假', '2026-12-01', '2026-12-02', '回老家办事');
        await expectText(page.getByTestId('duration-leave'), '2 天');
        await expectText(page.getByTestId('leave-balance'), '可用余额');
        const people = page.getByTestId('ap-flow-people');
        await expectText(people.nth(0), LI.name);
        await expectText(people.nth(1), HR.name);
        // A draft survives a reload.
        await page.getByTestId('ap-save-draft').click();
        await expectText(page.locator('.ant-message'), '草稿已保存');
        await page.reload();
        await expectText(page.locator('.ant-message'), '已恢复上次保存的草稿');
        await expectText(page.getByTestId('duration-leave'), '2 天');
        if ((await page.getByTestId('in-reason').inputValue()) !== '回老家办事') throw new Error('the draft was not restored');
        await expectText(people.nth(1), HR.name);
        await shot(page, 'approvals-form');
        await page.getByTestId('ap-submit').click();
        await page.waitForURL(/\/workbench\/approvals\/\d+$/);
        await expectText(page.getByTestId('ap-status'), '审批中');
        a.first = (await page.getByTestId('ap-sp-no').textContent()).trim();
        a.firstUrl = page.url();
      },
    ],
    [
      'approvals: 李四 (manager) approves, then HR approves; 张三 sees 已通过 live, in the timeline and the 审批 channel',
      async () => {
        const li = (a.li = await signIn(LI));
        await li.getByTestId('nav-workbench').click();
        await expectText(li.getByTestId('app-approvals-badge'), '1');
        await openWaiting(li, a.first);
        await decide(li, 'approve', '同意，注意交接');
        await expectText(li.locator('[data-testid="ap-approver"][data-decision="approved"]'), LI.name);
        const hr = (a.hr = await signIn(HR));
        await openWaiting(hr, a.first);
        await decide(hr, 'approve', 'HR 已备案');
        await expectText(hr.getByTestId('ap-status'), '已通过');
        // 张三's open detail page updates live.
        const z = a.zhang;
        await expectText(z.getByTestId('ap-status'), '已通过', 15_000);
        await expectText(z.getByTestId('ap-timeline'), '同意，注意交接');
        await expectText(z.getByTestId('ap-timeline'), 'HR 已备案');
        await shot(z, 'approvals-detail');
        await z.getByTestId('nav-messages').click();
        const conv = z.locator('[data-testid="conv-item"][data-conv-name="审批"]');
        await conv.click();
        const card = z.locator('[data-testid="app-card"][data-status="已通过"]').last();
        await card.waitFor({ timeout: 15_000 });
        await shot(z, 'approvals-channel');
        await card.focus();
        await z.keyboard.press('Enter');
        await z.waitForURL(/\/workbench\/approvals\/\d+$/);
        await expectText(z.getByTestId('ap-sp-no'), a.first);
      },
    ],
    [
      'approvals: a second request is rejected with a comment the applicant sees',
      async () => {
        const z = a.zhang;
        await fillLeave(z, '事假', '2026-12-10', '2026-12-10', '搬家');
        await z.getByTestId('ap-submit').click();
        await z.waitForURL(/\/workbench\/approvals\/\d+$/);
        const spNo = (await z.getByTestId('ap-sp-no').textContent()).trim();
        await a.li.goto(`${base}/workbench/approvals?tab=waiting`);
        await a.li.locator(`[data-testid="ap-item"][data-sp-no="${spNo}"]`).waitFor();
        await shot(a.li, 'approvals-waiting-list');
        await openWaiting(a.li, spNo);
        // A reason is required to reject.
        await a.li.getByTestId('ap-act-reject').click();
        await a.li.getByTestId('ap-dialog-comment').waitFor();
        await a.li.waitForTimeout(400); // let the dialog finish opening
        await a.li.getByTestId('ap-dialog-ok').click();
        await expectText(a.li.getByTestId('ap-dialog-error'), '请填写驳回理由');
        await a.li.getByTestId('ap-dialog-comment').fill('项目上线期间不能请假');
        await a.li.getByTestId('ap-dialog-ok').click();
        await a.li.getByTestId('ap-dialog').waitFor({ state: 'hidden' });
        await expectText(z.getByTestId('ap-status'), '已驳回', 15_000);
        await expectText(z.locator('[data-testid="ap-approver"][data-decision="rejected"]'), '项目上线期间不能请假');
        await shot(z, 'approvals-rejected');
        // The chat "/" menu opens the approvals app.
        const conv = await api(z, 'POST', '/api/v1/conversations', { kind: 'direct', member_ids: [a.ids.li] });
        await z.goto(`${base}/messages?c=${conv.id}`);
        await z.getByTestId('composer-input').fill('/');
        await z.getByTestId('command-menu').getByText('审批').click();
        await z.waitForURL(/\/workbench\/approvals$/);
        await z.getByTestId('ap-template-picker').waitFor();
      },
    ],
    [
      'approvals: an overlapping leave is refused with a clear message',
      async () => {
        const z = a.zhang;
        await fillLeave(z, '年假', '2026-12-02', '2026-12-03', '再请一天');
        await z.getByTestId('ap-submit').click();
        const err = z.getByTestId('ap-submit-error');
        await expectText(err, '请假时间冲突');
        await expectText(err, a.first);
        await expectText(err, '重叠');
        if ((await err.getAttribute('data-code')) !== 'leave_overlap') throw new Error('expected leave_overlap');
        if (!(await z.locator('[data-testid="field-leave"][data-error="1"]').count())) throw new Error('the leave control is not highlighted');
        await shot(z, 'approvals-overlap');
        // A missing required field names the control.
        await z.getByTestId('in-reason').fill('');
        await z.getByTestId('ap-submit').click();
        await expectText(z.locator('[data-testid="field-reason"] [data-testid="field-error"]'), '请假事由');
        // The same request in English.
        const en = await newPage('en-US');
        await login(en, ZHANG.employee_id, ZHANG.password);
        await en.waitForURL(/\/messages/);
        await en.goto(a.firstUrl);
        await expectText(en.getByTestId('ap-status'), 'Approved');
        await expectText(en.getByTestId('ap-timeline'), 'submitted the request');
        await shot(en, 'approvals-detail-en');
        await en.context().close();
        for (const p of [a.zhang, a.li, a.hr]) await p.context().close();
      },
    ],
    [
      'approvals: an approver leaves; the admin hands their pending decision to HR (离职转交)',
      async () => {
        const page = s.admin;
        const tech = (await api(page, 'GET', '/api/v1/departments?limit=1000')).items.find((d) => d.name === '技术部');
        const boss = await api(page, 'POST', '/api/v1/members', { name: '孙八', employee_id: 'sunba01', password: 'sunba-pass-1', department_ids: [tech.id] });
        const qian = { name: '钱七', employee_id: 'qianqi01', password: 'qianqi-pass-1' };
        const q = await api(page, 'POST', '/api/v1/members', { ...qian, department_ids: [tech.id] });
        await api(page, 'PATCH', `/api/v1/members/${q.id}`, { manager_id: boss.id });
        const qp = await signIn(qian);
        const tpl = (await api(qp, 'GET', '/api/v1/approvals/templates')).items.find((x) => x.builtin === 'leave');
        const req = await api(qp, 'POST', '/api/v1/approvals/requests', {
          template_id: tpl.id,
          values: { leave: { leave_type: 'sick', start: '2026-12-09', end: '2026-12-09' }, reason: '看病' },
        });
        await qp.context().close();
        if (req.awaiting[0]?.name !== '孙八') throw new Error(`expected 孙八 to approve, got ${JSON.stringify(req.awaiting)}`);
        await api(page, 'PATCH', `/api/v1/members/${boss.id}`, { status: 'departed' });
        await page.goto(`${base}/workbench/approvals/${req.id}`);
        await page.getByTestId('ap-act-reassign').click();
        await page.getByTestId('ap-dialog').waitFor();
        await page.waitForTimeout(300); // let the dialog finish opening
        await pickOption(page, page.getByTestId('ap-dialog-person'), HR.name, HR.name);
        await page.getByTestId('ap-dialog-comment').fill('孙八已离职');
        await page.getByTestId('ap-dialog-ok').click();
        await page.getByTestId('ap-dialog').waitFor({ state: 'hidden' });
        await expectText(page.getByTestId('ap-timeline'), '转交了离职人员的审批');
        const after = await api(page, 'GET', `/api/v1/approvals/requests/${req.id}`);
        if (after.awaiting[0]?.name !== HR.name) throw new Error(`expected ${HR.name} to approve now, got ${JSON.stringify(after.awaiting)}`);
        await shot(page, 'approvals-reassigned');
      },
    ],
  ];
  steps.pages = a;
  return steps;
}
