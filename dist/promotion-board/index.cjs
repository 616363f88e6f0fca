require('../main/index.cjs').run("promotion-board");
