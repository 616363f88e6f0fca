require('../main/index.cjs').run("promote-tag");
