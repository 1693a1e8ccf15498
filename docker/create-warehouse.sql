CREATE DATABASE warehouse OWNER filegate;
