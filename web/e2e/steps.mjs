// The end-to-end scenario, as an ordered list of named steps.
import path from 'node:path';
import { expectText, fillForm, openPage, pickTreeOption, shotBoth, treeNode, dragOnto } from './helpers.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const ADMIN = { org: '示例科技', name: '王管理', login: 'admin', password: 'admin-pass-123' };
const ZHANG = { name: '张三', employee_id: 'zhangsan01', dept: '前端组', password: 'zhangsan-pass-1', position: '前端工程师' };
const LI = { name: '李四', employee_id: 'lisi01', dept: '技术部', password: 'lisi-pass-123', position: '技术总监' };
const WANG = { name: '王五', employee_id: 'wangwu01', dept: '财务部', password: 'wangwu-pass-1' };
// Shown for a wrong login or password (error code invalid_credentials).
const GUIDE_ZH = '请使用企业为你分配的工号、手机号或邮箱登录，并检查密码。忘记密码请联系管理员重置。';
const GUIDE_EN = 'Use the employee ID, phone or email your company assigned, and check your password. Forgot your password? Ask your administrator to reset it.';

export function createSteps({ browser, base, shotDir, pageErrors }) {
  const s = { admin: null, li: null };
  const shot = (page, name) => shotBoth(page, path.join(shotDir, name));
  const newPage = (locale = 'zh-CN') => openPage(browser, base, locale, pageErrors);

  async function createDepartment(page, name, parent, membersOnly = false) {
    await page.getByTestId('dept-create').click();
    const dialog = page.locator('.ant-modal:visible');
    await dialog.getByTestId('dc-name').fill(name);
    await pickTreeOption(page, '#dept_create_parent_id', parent);
    if (membersOnly) await dialog.getByTestId('dc-visibility-members').click();
    await dialog.getByTestId('dept-create-ok').click();
    await dialog.waitFor({ state: 'hidden' });
    await treeNode(page, 'admin-dept-tree', name, parent).waitFor();
  }

  async function createMember(page, m) {
    await page.getByTestId('member-create').click();
    const dialog = page.locator('.ant-modal:visible');
    await fillForm(dialog, { 'mf-name': m.name, 'mf-employee-id': m.employee_id, 'mf-password': m.password, 'mf-position': m.position ?? '' });
    await pickTreeOption(page, '#member_department_ids', m.dept);
    await dialog.locator('.ant-modal-title').click(); // close the dropdown
    await dialog.getByTestId('member-form-ok').click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('members-table').getByText(m.employee_id, { exact: true }).waitFor();
  }

  async function login(page, loginName, password) {
    await page.goto(`${base}/login`);
    await page.getByTestId('login-login').fill(loginName);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-password').press('Enter');
  }

  async function search(page, q) {
    const box = page.getByTestId('contacts-search');
    await box.fill('');
    await box.fill(q);
  }

  const steps = [
    [
      'first-run setup in the browser',
      async () => {
        const page = (s.admin = await newPage());
        await page.goto(base);
        await page.waitForURL(/\/setup$/);
        await page.getByTestId('setup-org').waitFor();
        await shot(page, 'setup');
        await fillForm(page, {
          'setup-org': ADMIN.org,
          'setup-name': ADMIN.name,
          'setup-login': ADMIN.login,
          'setup-password': ADMIN.password,
          'setup-confirm': ADMIN.password,
        });
        await page.getByTestId('setup-confirm').press('Enter');
        await page.waitForURL(/\/messages/);
        await expectText(page.getByTestId('messages-page'), '聊天功能即将上线');
        await page.getByTestId('nav-admin').waitFor();
      },
    ],
    [
      'admin creates departments 技术部 and 前端组',
      async () => {
        const page = s.admin;
        await page.getByTestId('nav-admin').click();
        await page.waitForURL(/\/admin\/members/);
        await page.getByTestId('admin-nav-departments').click();
        await page.waitForURL(/\/admin\/departments/);
        await createDepartment(page, '技术部', ADMIN.org);
        await createDepartment(page, '前端组', '技术部');
      },
    ],
    [
      'admin creates members 张三 and 李四 with passwords',
      async () => {
        const page = s.admin;
        await page.getByTestId('admin-nav-members').click();
        await page.waitForURL(/\/admin\/members/);
        await createMember(page, ZHANG);
        await createMember(page, LI);
        await shot(page, 'admin-members');
      },
    ],
    [
      '李四 signs in, searches "zs" and opens 张三\'s profile',
      async () => {
        const page = (s.li = await newPage());
        await login(page, LI.employee_id, LI.password);
        await page.waitForURL(/\/messages/);
        await page.getByTestId('nav-contacts').click();
        await page.waitForURL(/\/contacts/);
        await treeNode(page, 'contacts-tree', '前端组', '技术部').waitFor();
        await shot(page, 'contacts');
        await search(page, 'zs');
        const hit = page.getByTestId('search-results').getByTestId('person').filter({ hasText: ZHANG.name });
        await hit.click();
        const card = page.getByTestId('profile-card');
        await expectText(card.getByTestId('profile-name'), ZHANG.name);
        await expectText(card, ZHANG.employee_id);
        await expectText(card, '前端组');
        await shot(page, 'profile-card');
        await card.getByTestId('profile-send').click();
        await page.waitForURL(/\/messages\?to=/);
        await page.getByTestId('nav-contacts').click();
      },
    ],
    [
      'admin drags 前端组 under 产品部; 李四 sees it live',
      async () => {
        const page = s.admin;
        await page.getByTestId('admin-nav-departments').click();
        await page.waitForURL(/\/admin\/departments/);
        await createDepartment(page, '产品部', ADMIN.org);
        await page.getByTestId('admin-dept-tree').getByText('技术部', { exact: true }).click();
        await page.getByTestId('dept-editor').waitFor();
        await shot(page, 'admin-departments');
        await dragOnto(page, treeNode(page, 'admin-dept-tree', '前端组'), treeNode(page, 'admin-dept-tree', '产品部'));
        await treeNode(page, 'admin-dept-tree', '前端组', '产品部').waitFor({ timeout: 10_000 });
        // No reload on 李四's side: the WebSocket event must bring the change.
        await treeNode(s.li, 'contacts-tree', '前端组', '产品部').waitFor({ timeout: 15_000 });
      },
    ],
    [
      '财务部 is visible only to its members: 李四 cannot find 王五',
      async () => {
        const page = s.admin;
        await createDepartment(page, '财务部', ADMIN.org, true);
        await page.getByTestId('admin-nav-members').click();
        await page.waitForURL(/\/admin\/members/);
        await createMember(page, WANG);
        const li = s.li;
        await search(li, '王五');
        await expectText(li.locator('.hd-split-right'), '没有找到');
        await search(li, WANG.employee_id);
        await expectText(li.locator('.hd-split-right'), '没有找到');
        await search(li, '');
        if (await treeNode(li, 'contacts-tree', '财务部').count()) throw new Error('财务部 should be hidden from 李四');
      },
    ],
    [
      'wrong password shows the guidance text (zh-CN and en)',
      async () => {
        const page = await newPage();
        await page.goto(`${base}/login`);
        await page.getByTestId('login-login').waitFor();
        await shot(page, 'login');
        await login(page, LI.employee_id, 'definitely-wrong');
        await expectText(page.getByTestId('login-error'), GUIDE_ZH);
        const en = await newPage('en-US');
        await login(en, LI.employee_id, 'also-wrong-1');
        await expectText(en.getByTestId('login-error'), GUIDE_EN);
        await en.context().close();
        await page.context().close();
      },
    ],
  ];
  steps.failureShot = async (name) => {
    const page = s.li && !s.li.isClosed() && /李四|live|财务部/.test(name) ? s.li : s.admin;
    if (page && !page.isClosed()) await page.screenshot({ path: path.join(shotDir, 'failure.png') });
  };
  return steps;
}
