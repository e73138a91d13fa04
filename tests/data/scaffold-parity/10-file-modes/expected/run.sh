#!/bin/sh
echo svc
