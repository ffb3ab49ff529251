# PGXS build of the extension. The sources are every .cpp in src/core and
# src/pg (the same src/core list CMakeLists.txt takes for the unit tests);
# the install script is src/sql/*.sql concatenated in name order.
EXTENSION  = pg_crm
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" pg_crm.control)
MODULE_big = pg_crm

CORE_SRCS = $(sort $(wildcard src/core/*.cpp))
PG_SRCS   = $(sort $(wildcard src/pg/*.cpp))
OBJS      = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

SQL_PIECES  = $(sort $(wildcard src/sql/*.sql))
DATA_built  = pg_crm--$(EXTVERSION).sql
# Upgrade scripts pg_crm--<from>--<to>.sql live in src/sql/upgrade/.
DATA        = $(wildcard src/sql/upgrade/pg_crm--*--*.sql)

REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --dbname=crm_regression

DEPS       = libcurl libutf8proc libzip expat simdjson libcrypto xlsxwriter
BUILD_TYPE ?= release
PG_CPPFLAGS = -Isrc $(shell pkg-config --cflags $(DEPS)) -DCRM_BUILD_TYPE='"$(BUILD_TYPE)"'
PG_CXXFLAGS = -std=c++17 -pthread -Wall -Wextra -Wno-missing-field-initializers -fvisibility=hidden
SHLIB_LINK  = -lstdc++ -pthread $(shell pkg-config --libs $(DEPS))

# ASan + UBSan; the server must preload libasan (test/reliability/sanitized_extension.sh).
ifeq ($(SANITIZE),1)
BUILD_TYPE  = asan
PG_CXXFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -O1
SHLIB_LINK  += -fsanitize=address,undefined
endif

# Debian's PGXS would compile every .cpp again with clang into JIT bitcode,
# without PG_CXXFLAGS; pg_crm has nothing to gain from JIT inlining.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Server headers as system headers: keeps -Wall -Wextra about our own code.
override CPPFLAGS := $(patsubst -I$(includedir_server),-isystem $(includedir_server),$(CPPFLAGS))

$(DATA_built): $(SQL_PIECES) pg_crm.control
	cat $(SQL_PIECES) > $@

$(OBJS): $(wildcard src/core/*.hpp src/pg/*.hpp)
