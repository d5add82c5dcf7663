/** Extra help shown under `iamctl --help`: a first session, end to end. */
export const adminCommandsHelp = `
A first session against \`npm start\`:
  iamctl principal create user:ada@example.com
  iamctl role create router-reader --actions routers.read
  iamctl grant --subject user:ada@example.com --role router-reader --resource "projects:42:**"
  iamctl token create user:ada@example.com --ttl 3600
  iamctl stream status
  iamctl events tail --limit 5
  iamctl cache stats
  iamctl replay --since 1h --service turing
`;
