export function TemplateDesigner() {
  return null;
}
