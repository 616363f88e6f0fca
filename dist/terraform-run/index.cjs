require('../main/index.cjs').run("terraform-run");
