// cdktf's Testing.setupJest() adds these matchers at run time; this tells the type checker.
import "cdktf/lib/testing/adapters/jest";
