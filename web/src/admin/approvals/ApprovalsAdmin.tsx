export function ApprovalsAdmin() {
  return null;
}
