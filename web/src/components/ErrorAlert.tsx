import { Alert } from 'antd';

/** Shows a server error message (ApiError.message) above a form. */
export function ErrorAlert({ error, testId }: { error: string | null; testId?: string }) {
  if (!error) return null;
  return <Alert type="error" showIcon message={error} className="hd-form-alert" data-testid={testId} role="alert" />;
}
