require('../main/index.cjs').run("check-previous-env");
