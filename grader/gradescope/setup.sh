#!/bin/sh
# setup.sh - install what proclab needs in Gradescope's autograder image.
#
# Gradescope runs this once, as root, when it builds the image, with the
# zip unpacked into /autograder/source beside this script. It installs
# the compiler, Check and pkg-config from Ubuntu's packages and builds
# what every grade shares, so that each submission builds only its code.

set -eu
cd "$(dirname "$0")"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential \
    check pkg-config
make --no-print-directory grade-shared
