require('../main/index.cjs').run("determine-environment");
