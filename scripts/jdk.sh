# Sourced by ./descent and ./run-tests: finds a JDK 25 or newer and exports JAVA_HOME, or explains.
# Order: $JAVA_HOME if it is 25+, then the newest 25+ JDK under /usr/lib/jvm.

descent_java_major() { # prints the feature version of the java at $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

descent_find_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(descent_java_major "$JAVA_HOME/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/*; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(descent_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ] && [ "$major" -gt "$best_major" ]; then
      best=$candidate
      best_major=$major
    fi
  done
  if [ -z "$best" ]; then
    cat >&2 <<'MSG'
descent: no JDK 25 or newer found.
  Descent needs JDK 25 (for the Vector API). Install one, for example Temurin 25
  (Debian/Ubuntu: the temurin-25-jdk package from Adoptium's repository), then either set
  JAVA_HOME to it or install it under /usr/lib/jvm.
MSG
    return 1
  fi
  export JAVA_HOME=$best
}

descent_require_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "descent: Maven (mvn) is needed to build Descent; install it (Debian/Ubuntu: apt-get install maven)." >&2
    return 1
  fi
  # Maven's own libraries call sun.misc.Unsafe; JDK 25 warns about it on every run.
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
}
