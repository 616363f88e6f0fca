require('../main/index.cjs').run("pipeline");
